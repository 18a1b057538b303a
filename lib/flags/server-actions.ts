"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for flags. Each is one line: the definition says how to read the form and which
// service verb runs; the verb validates the input and checks the caller's role.
export async function createFlagAction(input: unknown) { return perform(defs.createFlagAction, input); }
export async function updateFlagAction(input: unknown) { return perform(defs.updateFlagAction, input); }
export async function archiveFlagAction(input: unknown) { return perform(defs.archiveFlagAction, input); }
export async function deleteFlagAction(input: unknown) { return perform(defs.deleteFlagAction, input); }
