import type { z } from "zod";
import type { ServiceContext } from "../services/context";
import { parseInput } from "../validation/parse";
import { SIGNED_OUT, toActionFailure, type ActionResult } from "./action-result";
import { normaliseActionInput } from "./form-input";

/**
 * One server action, declared as data: how to read its input and which service verb it calls. No
 * business logic and no permission checks live here: the verb checks the role, so an action, a route
 * handler and a script are refused alike.
 */
export interface ActionDef<S extends z.ZodType, T> {
  name: string;
  input: S;
  run(args: { ctx: ServiceContext; input: z.output<S> }): Promise<T>;
  /** The toast text on success. */
  success(data: T, input: z.output<S>): string;
}

export function defineAction<S extends z.ZodType, T>(def: ActionDef<S, T>): ActionDef<S, T> {
  return def;
}

/**
 * The wrapper every server action goes through (like next-saas-starter's validatedActionWithUser):
 * signed-in actor or a "signed out" result, input parsed with zod, the verb, and errors mapped to
 * plain words. `ctx` is null when the request has no valid session.
 */
export async function runAction<S extends z.ZodType, T>(def: ActionDef<S, T>, raw: unknown, ctx: ServiceContext | null): Promise<ActionResult<T>> {
  if (!ctx) return SIGNED_OUT;
  try {
    const input = parseInput(def.input, normaliseActionInput(raw));
    const data = await def.run({ ctx, input });
    return { ok: true, data, message: def.success(data, input) };
  } catch (err) {
    return toActionFailure(err, ctx.meta?.traceId);
  }
}
