"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for flag values.
export async function setFlagValueAction(input: unknown) { return perform(defs.setFlagValueAction, input); }
export async function rollbackFlagValueAction(input: unknown) { return perform(defs.rollbackFlagValueAction, input); }
