"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for SDK keys.
export async function createSdkKeyAction(input: unknown) { return perform(defs.createSdkKeyAction, input); }
export async function revokeSdkKeyAction(input: unknown) { return perform(defs.revokeSdkKeyAction, input); }
