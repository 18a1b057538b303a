"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for the outbox.
export async function retryDeadLettersAction(input: unknown) { return perform(defs.retryDeadLettersAction, input); }
