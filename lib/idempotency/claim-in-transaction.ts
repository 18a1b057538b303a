import { and, eq } from "drizzle-orm";
import type { Tx } from "../db/client";
import { isDuplicateKey } from "../db/errors";
import { idempotencyKeys } from "../db/schema";
import { COMMIT_SCOPE, WRITTEN_BY_TRANSACTION, type IdempotencyClaim } from "./commit-outcome";
import { IdempotencyKeyTaken } from "./key-taken";

/**
 * A client's Idempotency-Key as an admin API write carries it in its ServiceContext
 * (lib/http/idempotency.ts puts it there; core/transaction.ts records it). `answer` turns the
 * verb's result into what a replay returns (default: the result itself with `status`); a
 * secret-returning create uses it to keep the secret out of idempotency_keys.
 */
export interface ContextClaim extends IdempotencyClaim {
  answer?: (result: unknown) => { status: number; json: string };
  /** Set once a committed transaction recorded the claim: a verb's later transactions skip it. */
  recorded?: boolean;
}

/**
 * The first statements of a keyed write's transaction: its commit marker (so a lost COMMIT can be
 * checked, idempotency/commit-outcome.ts) and the client key's row, answer still empty. First, so
 * a transaction whose key another request holds waits for it, or stops (IdempotencyKeyTaken)
 * before it writes anything when that one committed.
 */
export async function openClaim(tx: Tx, claim: ContextClaim, marker: string): Promise<void> {
  try {
    await tx.insert(idempotencyKeys).values([
      { scope: COMMIT_SCOPE, idemKey: marker, status: WRITTEN_BY_TRANSACTION },
      { scope: claim.scope, idemKey: claim.key, fingerprint: claim.fingerprint, status: claim.status },
    ]);
  } catch (err) {
    if (isDuplicateKey(err)) throw new IdempotencyKeyTaken();
    throw err;
  }
}

/** The last statement before COMMIT: the answer a replay of this key returns, committed with the write. */
export async function answerClaim(tx: Tx, claim: ContextClaim, result: unknown): Promise<void> {
  const a = claim.answer ? claim.answer(result) : { status: claim.status, json: JSON.stringify(result ?? null) };
  await tx
    .update(idempotencyKeys)
    .set({ status: a.status, response: a.json })
    .where(and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.idemKey, claim.key)));
}
