import { createHash } from "node:crypto";
import type { Actor } from "../auth/actor";
import { ServiceError } from "../errors/service-error";
import type { ServiceContext } from "../core/context";
import type { IdempotencyClaim } from "./commit-outcome";
import { IdempotencyKeyTaken } from "./key-taken";
import { atKeyCap } from "./key-cap";
import { findStoredOutcome, MAX_KEYS_PER_SCOPE } from "./keys";

/** Requests holding a key in this process: a concurrent retry waits for the first instead of racing it. */
const inFlight = new Map<string, Promise<void>>();

export type RunOnceResult<T> = { replayed: false; value: T } | { replayed: true; status: number; json: string };

/**
 * Runs a write at most once per idempotency key and caller (API token or user). The first run
 * gets a claim, which the write records with its answer in its own transaction; a later run with
 * the same key and the same `request` (what identifies it: method, path, body) gets that answer
 * back and writes nothing; the same key with a different request is refused (422
 * idempotency_key_reused). Only committed writes keep their key: a refused write (404, 409, 422)
 * changed nothing and may run again with it.
 */
export async function runOnce<T>(
  ctx: ServiceContext,
  key: string,
  request: string,
  status: number,
  write: (claim: IdempotencyClaim) => Promise<T>,
): Promise<RunOnceResult<T>> {
  const scope = scopeOf(ctx.actor);
  const fingerprint = createHash("sha256").update(request).digest("hex");
  const claim: IdempotencyClaim = { scope, key, fingerprint, status };
  const id = `${scope}\n${key}`;
  for (let attempt = 1; ; attempt++) {
    const earlier = inFlight.get(id);
    if (earlier) {
      await earlier;
      continue;
    }
    // Claimed before the first await: a concurrent request in this process sees the claim and waits.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inFlight.set(id, gate);
    try {
      const stored = await findStoredOutcome(ctx.db, scope, key);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          throw new ServiceError("idempotency_key_reused", "This Idempotency-Key was already used for a different request (method, path or body); use a new key", {
            issues: [{ path: "Idempotency-Key", message: "already used for a different request" }],
          });
        }
        return { replayed: true, status: stored.status ?? 200, json: stored.response ?? "null" };
      }
      if (await atKeyCap(ctx.db, scope)) {
        throw new ServiceError("rate_limited", `Too many Idempotency-Keys in use by this caller (at most ${MAX_KEYS_PER_SCOPE} per 24 hours)`);
      }
      return { replayed: false, value: await write(claim) };
    } catch (err) {
      // Another process committed the same key between our lookup and our write: replay it.
      if (err instanceof IdempotencyKeyTaken && attempt < 3) continue;
      if (err instanceof IdempotencyKeyTaken) throw new ServiceError("conflict", "A concurrent request with this Idempotency-Key is still being processed; retry");
      throw err;
    } finally {
      if (inFlight.get(id) === gate) inFlight.delete(id);
      release();
    }
  }
}

function scopeOf(actor: Actor): string {
  if (actor.type === "api_token") return `token:${actor.id}`;
  if (actor.type === "user") return `user:${actor.id}`;
  return `system:${actor.name}`;
}
