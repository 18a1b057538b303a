import type { Namespace } from "etcd3";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { dueAt } from "../../lib/outbox/write-outbox";
import type { Db, Tx } from "../../lib/db/client";
import { outboxEvents } from "../../lib/db/schema";
import type { PublishItem } from "../../lib/etcd/fence";
import { metrics } from "../../lib/observability/metrics";
import { isEtcdUnavailable } from "../support/etcd-errors";
import type { WorkerLog } from "../support/log";
import { backoffMs, withTimeout } from "../support/timing";
import { rowToItem, type OutboxRow } from "./outbox-row";
import { publishSettled, type ItemResult } from "./publish-settled";

export interface BatchOptions {
  batchSize: number;
  /** Upper bound on the etcd part of a batch, so a hung etcd cannot hold the claim transaction open. */
  publishTimeoutMs: number;
  /** Attempts after which a row that keeps failing for its own reason becomes `dead`. */
  maxAttempts: number;
  rowBackoffBaseMs: number;
  rowBackoffMaxMs: number;
}

export interface BatchResult {
  claimed: number;
  done: number;
  applied: number;
  rowFailures: number;
  deadLettered: number;
  /** Set when etcd could not be reached: those rows stay pending untouched and the loop backs off. */
  unavailable: unknown;
}

const MAX_ERROR_CHARS = 2000;

/**
 * One relay batch, in ONE MySQL transaction: claim due pending rows (FOR UPDATE SKIP LOCKED, so
 * other relays and the write path's immediate publish are skipped, not waited for), publish them
 * fenced, then mark what landed `done` and record row failures before commit. The row locks are the
 * claim: if this process dies mid-batch the transaction rolls back, the rows are pending again, and
 * re-publishing them later is a fenced no-op for whatever already reached etcd.
 *
 * READ COMMITTED: the claim must lock only the rows it claims. Under REPEATABLE READ the locking
 * read also gap-locks the end of the pending range, where every commit inserts its outbox row, so
 * all writes would wait for this transaction, i.e. for etcd (up to publishTimeoutMs while it hangs).
 */
export async function relayBatch(db: Db, root: Namespace, opts: BatchOptions, log: WorkerLog): Promise<BatchResult> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.status, "pending"), lte(outboxEvents.nextAttemptAt, sql`UTC_TIMESTAMP(3)`)))
      // (next_attempt_at, id) is outbox_claim_idx's own order: the scan stops after `batchSize` rows and
      // locks only those. ORDER BY id alone makes InnoDB read, lock and sort every due row first, which
      // turns a large backlog quadratic and leaves nothing for a second relay to claim. Per key this is
      // still commit order (a key's writers serialise on its row lock); where it is not (a retried
      // row), the fence turns the older publish into a no-op.
      .orderBy(asc(outboxEvents.nextAttemptAt), asc(outboxEvents.id))
      .limit(opts.batchSize)
      .for("update", { skipLocked: true });
    const result: BatchResult = { claimed: rows.length, done: 0, applied: 0, rowFailures: 0, deadLettered: 0, unavailable: null };
    if (rows.length === 0) return result;

    const rebuilt = rows.map((row) => ({ row, r: rowToItem(row) }));
    const valid = rebuilt.filter((x): x is { row: OutboxRow; r: { ok: true; item: PublishItem } } => x.r.ok);
    const started = performance.now();
    let published: ItemResult[];
    try {
      published = await withTimeout(publishSettled(root, valid.map((v) => v.r.item)), opts.publishTimeoutMs, "etcd publish");
    } catch (error) {
      published = valid.map(() => ({ status: "failed", error }));
    }
    metrics.relayPublishSeconds.observe((performance.now() - started) / 1000);

    const doneIds: number[] = [];
    let deferred = 0;
    const failures: { row: OutboxRow; error: string }[] = [];
    const publishedAt = new Date();
    for (const x of rebuilt) if (!x.r.ok) failures.push({ row: x.row, error: x.r.error });
    valid.forEach((v, i) => {
      const res = published[i]!;
      if (res.status === "failed") {
        if (isEtcdUnavailable(res.error)) {
          result.unavailable ??= res.error;
          deferred++;
        } else failures.push({ row: v.row, error: res.error instanceof Error ? res.error.message : String(res.error) });
        return;
      }
      doneIds.push(v.row.id);
      metrics.relayPublished.inc({ outcome: res.status });
      if (res.status === "applied") {
        result.applied++;
        metrics.commitToEtcdSeconds.observe({ path: "relay" }, Math.max(0, publishedAt.getTime() - v.row.createdAt.getTime()) / 1000);
      }
    });
    if (deferred) metrics.relayPublishFailures.inc({ kind: "unavailable" }, deferred);

    if (doneIds.length) {
      await tx
        .update(outboxEvents)
        .set({ status: "done", publishedAt })
        .where(and(eq(outboxEvents.status, "pending"), inArray(outboxEvents.id, doneIds)));
      result.done = doneIds.length;
    }
    for (const f of failures) {
      const dead = await recordRowFailure(tx, f.row, f.error, opts);
      result.rowFailures++;
      metrics.relayPublishFailures.inc({ kind: "row" });
      if (dead) {
        result.deadLettered++;
        metrics.relayDeadLetteredTotal.inc();
        log("error", "outbox.dead_lettered", { id: f.row.id, etcdKey: f.row.etcdKey, version: f.row.version, attempts: f.row.attempts + 1, error: f.error });
      } else {
        log("warn", "outbox.row_failed", { id: f.row.id, etcdKey: f.row.etcdKey, version: f.row.version, attempts: f.row.attempts + 1, error: f.error });
      }
    }
    return result;
  }, { isolationLevel: "read committed" });
}

/** attempts+1 and a jittered, capped exponential retry time; `dead` once the attempts run out. */
async function recordRowFailure(tx: Tx, row: OutboxRow, error: string, opts: BatchOptions): Promise<boolean> {
  const attempts = row.attempts + 1;
  const dead = attempts >= opts.maxAttempts;
  await tx
    .update(outboxEvents)
    .set({
      attempts,
      lastError: error.slice(0, MAX_ERROR_CHARS),
      status: dead ? "dead" : "pending",
      nextAttemptAt: dueAt(dead ? 0 : backoffMs(attempts, opts.rowBackoffBaseMs, opts.rowBackoffMaxMs)),
    })
    .where(eq(outboxEvents.id, row.id));
  return dead;
}
