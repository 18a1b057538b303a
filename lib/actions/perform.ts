import type { z } from "zod";
import type { ActionResult } from "./action-result";
import { runAction, type ActionDef } from "./define-action";
import { sessionServiceContext } from "./session-context";

/** Runs an action definition as the signed-in user of the current request. */
export async function perform<S extends z.ZodType, T>(def: ActionDef<S, T>, input: unknown): Promise<ActionResult<T>> {
  return runAction(def, input, await sessionServiceContext());
}
