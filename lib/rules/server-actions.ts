"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for a flag's rules (targeting); the verb checks the caller's role.
export async function setTargetingAction(input: unknown) { return perform(defs.setTargetingAction, input); }
export async function rollbackTargetingAction(input: unknown) { return perform(defs.rollbackTargetingAction, input); }
