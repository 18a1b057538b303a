"use server";

import * as defs from "./defs/flag-action-defs";
import { perform } from "./perform";

// Server actions for flags. Each is one line: the definition says how to read the input and which
// service verb runs; the verb checks the caller's role.
export async function createFlagAction(input: unknown) { return perform(defs.createFlagAction, input); }
export async function updateFlagAction(input: unknown) { return perform(defs.updateFlagAction, input); }
export async function setFlagValueAction(input: unknown) { return perform(defs.setFlagValueAction, input); }
export async function archiveFlagAction(input: unknown) { return perform(defs.archiveFlagAction, input); }
export async function deleteFlagAction(input: unknown) { return perform(defs.deleteFlagAction, input); }
export async function rollbackFlagValueAction(input: unknown) { return perform(defs.rollbackFlagValueAction, input); }
