"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for API tokens.
export async function createApiTokenAction(input: unknown) { return perform(defs.createApiTokenAction, input); }
export async function revokeApiTokenAction(input: unknown) { return perform(defs.revokeApiTokenAction, input); }
