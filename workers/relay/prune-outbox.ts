import { and, asc, eq, lt } from "drizzle-orm";
import type { Db } from "../../lib/db/client";
import { outboxEvents } from "../../lib/db/schema";
import { metrics } from "../../lib/observability/metrics";

/**
 * Deletes `done` rows published before the retention cutoff, in small batches (each its own short
 * statement over outbox_prune_idx) so pruning a large history never holds long locks or a long
 * transaction. Pending and dead rows are never touched. Returns the number of rows deleted.
 */
export async function pruneDoneRows(db: Db, opts: { retentionMs: number; batchSize: number; maxBatches: number; now?: Date }): Promise<number> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - opts.retentionMs);
  let total = 0;
  for (let i = 0; i < opts.maxBatches; i++) {
    const [res] = await db
      .delete(outboxEvents)
      .where(and(eq(outboxEvents.status, "done"), lt(outboxEvents.publishedAt, cutoff)))
      .orderBy(asc(outboxEvents.publishedAt))
      .limit(opts.batchSize);
    const n = Number(res.affectedRows ?? 0);
    total += n;
    if (n < opts.batchSize) break;
  }
  if (total) metrics.outboxPruned.inc(total);
  return total;
}
