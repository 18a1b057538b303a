import type { ServiceContext } from "../core/context";
import { SIGNED_OUT, toActionFailure, type ActionResult } from "./action-result";
import { readFields, type FormCodec } from "./form-codec";

/**
 * One server action, declared as data: how its form fields become the verb's input, and which verb
 * runs. There is no schema here: the verb parses its input once with its own schema, so a field has
 * one set of rules for the admin API and the console alike. No permission checks live here either:
 * the verb checks the role, so an action, a route handler and a script are refused alike.
 *
 * `I` is the verb's input as the codec builds it; `success` only sees it after the verb accepted it.
 */
export interface ActionDef<I, T> {
  name: string;
  /** FormData / JSON fields -> the verb's input (lib/actions/form-codec.ts). Without one, the fields go as they are. */
  codec?: FormCodec<I>;
  run(args: { ctx: ServiceContext; input: NoInfer<I> }): Promise<T>;
  /** The toast text on success. */
  success(data: T, input: NoInfer<I>): string;
}

export function defineAction<I, T>(def: ActionDef<I, T>): ActionDef<I, T> {
  return def;
}

/**
 * The wrapper every server action goes through (like next-saas-starter's validatedActionWithUser):
 * signed-in actor or a "signed out" result, the form decoded, the verb (which validates), and errors
 * mapped to plain words. `ctx` is null when the request has no valid session.
 */
export async function runAction<I, T>(def: ActionDef<I, T>, raw: unknown, ctx: ServiceContext | null): Promise<ActionResult<T>> {
  if (!ctx) return SIGNED_OUT;
  try {
    const fields = readFields(raw);
    const input = def.codec ? def.codec.decode(fields) : (fields as I);
    const data = await def.run({ ctx, input });
    return { ok: true, data, message: def.success(data, input) };
  } catch (err) {
    return toActionFailure(err, ctx.meta?.traceId);
  }
}
