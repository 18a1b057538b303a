import type { ActionResult } from "./action-result";
import { runAction, type ActionDef } from "./define-action";
import { sessionServiceContext } from "./session-context";

/** Runs an action definition as the signed-in user of the current request. */
export async function perform<I, T>(def: ActionDef<I, T>, input: unknown): Promise<ActionResult<T>> {
  return runAction(def, input, await sessionServiceContext());
}
