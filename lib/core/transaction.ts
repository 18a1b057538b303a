import type { Tx } from "../db/client";
import { isDatabaseUnavailable } from "../errors/http";
import { answerClaim, openClaim } from "../idempotency/claim-in-transaction";
import { checkCommitOutcome, commitOutcomeUnknown, newCommitMarker } from "../idempotency/commit-outcome";
import type { CommittedOutboxRow, ServiceContext } from "./context";

const RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);
export const MAX_ATTEMPTS = 5;

export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, d = 0; e && d < 5; d++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && RETRYABLE.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Collects the outbox rows a transaction writes so they can be handed on after commit. */
export class OutboxCollector {
  readonly rows: CommittedOutboxRow[] = [];
  /**
   * How long the relay leaves this transaction's outbox rows to the write path's own publish
   * (0 without one). Without it the relay, polling, claims rows that the post-commit publish is
   * about to land and mark done, and publishes most writes twice under load.
   */
  constructor(readonly relayGraceMs = 0) {}
}

/** The write path's head start on the relay; after it, a row not yet published is the relay's. */
export const IMMEDIATE_PUBLISH_GRACE_MS = 1_000;

/**
 * Runs `fn` in one transaction. Deadlocks and lock-wait timeouts roll back completely and are
 * retried with a short jittered pause; after commit the written outbox rows go to ctx.onCommitted.
 * A COMMIT that gets no reply fails with commit_outcome_unknown, never as "nothing was changed".
 */
export async function inTransaction<T>(
  ctx: ServiceContext,
  fn: (tx: Tx, outbox: OutboxCollector) => Promise<T>,
): Promise<T> {
  // A keyed write (ctx.idempotency) records its key and answer in this transaction, with a commit
  // marker that tells, after a lost COMMIT, whether it went through.
  const claim = ctx.idempotency && !ctx.idempotency.recorded ? ctx.idempotency : undefined;
  for (let attempt = 1; ; attempt++) {
    const outbox = new OutboxCollector(ctx.onCommitted ? IMMEDIATE_PUBLISH_GRACE_MS : 0);
    const marker = claim ? newCommitMarker() : "";
    let committing = false;
    let result!: T;
    try {
      await ctx.db.transaction(async (tx) => {
        if (claim) await openClaim(tx, claim, marker);
        result = await fn(tx, outbox);
        if (claim) await answerClaim(tx, claim, result);
        committing = true;
      });
      if (claim) claim.recorded = true;
      handOver(ctx, outbox);
      return result;
    } catch (err) {
      // The COMMIT went out and no answer came back: it may have gone through, so "nothing was
      // changed" would be a guess. A keyed write asks its marker; others answer "unknown".
      if (committing && isDatabaseUnavailable(err)) {
        if (!claim) throw commitOutcomeUnknown(null, err);
        const outcome = await checkCommitOutcome(ctx.db, marker);
        if (outcome === "unknown") throw commitOutcomeUnknown(claim.key, err);
        if (outcome === "not_committed") throw err;
        claim.recorded = true;
        handOver(ctx, outbox);
        return result;
      }
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

/** Gives a committed transaction's outbox rows to ctx.onCommitted (the post-commit publish). */
export function handOver(ctx: ServiceContext, outbox: OutboxCollector): void {
  if (!outbox.rows.length || !ctx.onCommitted) return;
  try {
    ctx.onCommitted(outbox.rows);
  } catch {
    // The hook is an optimisation; the committed outbox rows are the guarantee.
  }
}
