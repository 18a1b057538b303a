"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for environments.
export async function createEnvironmentAction(input: unknown) { return perform(defs.createEnvironmentAction, input); }
