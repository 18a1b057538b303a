import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { idempotencyKeys } from "../db/schema";

/** Client keys are answered for at least this long (then pruned with the commit markers). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Most keys one caller (token or user) may hold at once: a key flood cannot grow the table without bound. */
export const MAX_KEYS_PER_SCOPE = 100_000;

export interface StoredOutcome {
  fingerprint: string | null;
  status: number | null;
  response: string | null;
}

export async function findStoredOutcome(db: Db, scope: string, key: string): Promise<StoredOutcome | null> {
  const rows = await db
    .select({ fingerprint: idempotencyKeys.fingerprint, status: idempotencyKeys.status, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.idemKey, key)))
    .limit(1);
  return rows[0] ?? null;
}

/** How many keys `scope` holds, counting no further than `cap` (an index range scan of at most cap rows). */
export async function keysHeld(db: Db, scope: string, cap = MAX_KEYS_PER_SCOPE): Promise<number> {
  const inner = db.select({ one: sql`1` }).from(idempotencyKeys).where(eq(idempotencyKeys.scope, scope)).limit(cap).as("held");
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(inner);
  return Number(row?.n ?? 0);
}

/**
 * Deletes keys and commit markers older than the retention, in small batches (each a short
 * statement over the created_at index). Returns the number of rows deleted.
 */
export async function pruneIdempotencyKeys(db: Db, opts: { batchSize: number; maxBatches: number; now?: Date }): Promise<number> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - IDEMPOTENCY_RETENTION_MS);
  let total = 0;
  for (let i = 0; i < opts.maxBatches; i++) {
    const [res] = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).orderBy(asc(idempotencyKeys.createdAt)).limit(opts.batchSize);
    const n = Number(res.affectedRows ?? 0);
    total += n;
    if (n < opts.batchSize) break;
  }
  return total;
}
