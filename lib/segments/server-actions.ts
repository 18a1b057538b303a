"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for segments; the verbs check the caller's role.
export async function createSegmentAction(input: unknown) { return perform(defs.createSegmentAction, input); }
export async function updateSegmentAction(input: unknown) { return perform(defs.updateSegmentAction, input); }
export async function deleteSegmentAction(input: unknown) { return perform(defs.deleteSegmentAction, input); }
export async function rollbackSegmentAction(input: unknown) { return perform(defs.rollbackSegmentAction, input); }
