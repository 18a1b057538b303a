import { z } from "zod";
import type { ServiceContext } from "../core/context";
import type { ContextClaim } from "../idempotency/claim-in-transaction";
import type { IdempotencyClaim } from "../idempotency/commit-outcome";
import { runOnce } from "../idempotency/run-once";
import { parseInput } from "../validation/parse";
import type { ApiRequest } from "./api-request";

export const IDEMPOTENCY_HEADER = "idempotency-key";

/** Printable ASCII without spaces (UUIDs, ULIDs, "deploy-42/step-3"), at most 255 characters. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "Idempotency-Key must be 1-255 printable ASCII characters without spaces");

const HeaderSchema = z.object({ "Idempotency-Key": IdempotencyKeySchema.optional() });

/**
 * The admin API side of services/idempotency/run-once.ts: reads the `Idempotency-Key` header
 * (both transports pass it through), identifies the request by method, path and parsed body, and
 * answers a replay with the stored status and body plus `idempotent-replayed: true`.
 */
export async function idempotent<T>(
  args: { req: ApiRequest; ctx: ServiceContext; body: unknown; status: number },
  write: (claim?: IdempotencyClaim) => Promise<T>,
): Promise<T | Response> {
  const { req, ctx } = args;
  const key = parseInput(HeaderSchema, { "Idempotency-Key": req.headers.get(IDEMPOTENCY_HEADER) ?? undefined })["Idempotency-Key"];
  if (key === undefined) return write();
  const url = new URL(req.url);
  // Path and query (a DELETE's expectedVersion and reason are in it) and the parsed body.
  const request = `${req.method} ${url.pathname}${url.search}\n${JSON.stringify(args.body ?? null)}`;
  const out = await runOnce(ctx, key, request, args.status, write);
  if (!out.replayed) return out.value;
  return new Response(out.json, { status: out.status, headers: { "content-type": "application/json", "idempotent-replayed": "true" } });
}

/**
 * What withApi does for every spec marked `idempotent`: the handler runs with the claim in its
 * ServiceContext, so the verb's transaction (core/transaction.ts, or the value-write queue)
 * records the key and its answer atomically with the write. `answer` is the spec's
 * idempotentAnswer (what a replay returns instead of the result, e.g. without a secret).
 */
export function idempotentHandler<T>(
  args: { req: ApiRequest; ctx: ServiceContext; body: unknown; status: number; answer?: ContextClaim["answer"] },
  call: (ctx: ServiceContext) => Promise<T>,
): Promise<T | Response> {
  return idempotent(args, (claim) => call(claim ? { ...args.ctx, idempotency: { ...claim, answer: args.answer } } : args.ctx));
}
