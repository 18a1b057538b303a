import { batchDbFor, type Db } from "../db/client";
import { metrics } from "../observability/metrics";
import type { ServiceContext } from "../core/context";
import { inBatchTransaction } from "../core/batch-transaction";
import { inTransaction } from "../core/transaction";
import { isDuplicateKey } from "../db/errors";
import { checkCommitOutcome, commitOutcomeUnknown, newCommitMarker, outcomeIsOpen, outcomeRowsInsert, type IdempotencyClaim } from "../idempotency/commit-outcome";
import { IdempotencyKeyTaken } from "../idempotency/key-taken";
import { applyValueWrites, type ValueWrite, type ValueWriteOutcome } from "./apply-value-writes";
import type { FlagView } from "../flags/schemas";

/** Most writes in one transaction; more wait for the next batch. */
const MAX_BATCH = 256;
/** Batch transactions running at once per lane (overlapping one's commit with the next's work). */
const MAX_IN_FLIGHT = 2;

interface Pending extends ValueWrite {
  queuedAt: number;
  resolve(view: FlagView): void;
  reject(err: unknown): void;
}

interface Lane {
  queue: Pending[];
  inFlight: number;
  scheduled: boolean;
}

type OnCommitted = ServiceContext["onCommitted"];
const lanes = new WeakMap<Db, Map<OnCommitted, Lane>>();

/**
 * Group commit for flag value writes. A write that arrives while the database is idle runs at
 * once (in the next turn of the event loop, so writes arriving together share it); writes that
 * arrive while MAX_IN_FLIGHT batches are committing queue up and then commit together, in arrival
 * order, in one transaction. Under load that turns N transactions of six statements into one of
 * six, which is where a write's cost goes (round trips, parsing, log flushes), while a lone write
 * waits for nothing. Each write keeps its own version, audit row, outbox row and error. A failure
 * of the transaction itself fails every write in it, and is only reported as such once it is
 * certain that nothing committed: when the COMMIT got no reply (a deadline, a lost connection),
 * the batch's commit marker is checked on a fresh connection, and a batch that did commit succeeds;
 * one whose fate cannot be learned in time fails with commit_outcome_unknown. A batch refused
 * because a client's Idempotency-Key was taken meanwhile (another process answered it) sends that
 * write back to its caller (IdempotencyKeyTaken) and the others on to the next batch. Lanes are per database and post-commit hook, so a batch never mixes the two.
 */
export function enqueueValueWrite(ctx: ServiceContext, data: ValueWrite["data"], claim?: IdempotencyClaim): Promise<FlagView> {
  const byHook = lanes.get(ctx.db) ?? lanes.set(ctx.db, new Map()).get(ctx.db)!;
  let lane = byHook.get(ctx.onCommitted);
  if (!lane) {
    lane = { queue: [], inFlight: 0, scheduled: false };
    byHook.set(ctx.onCommitted, lane);
  }
  const l = lane;
  return new Promise<FlagView>((resolve, reject) => {
    l.queue.push({ ctx, data, claim, resolve, reject, queuedAt: performance.now() });
    schedule(l);
  });
}

function schedule(lane: Lane): void {
  if (lane.scheduled || lane.inFlight >= MAX_IN_FLIGHT || lane.queue.length === 0) return;
  lane.scheduled = true;
  setImmediate(() => {
    lane.scheduled = false;
    if (lane.inFlight >= MAX_IN_FLIGHT || lane.queue.length === 0) return;
    const batch = lane.queue.splice(0, MAX_BATCH);
    lane.inFlight++;
    void runBatch(batch).finally(() => {
      lane.inFlight--;
      schedule(lane);
    });
    schedule(lane);
  });
}

async function runBatch(batch: Pending[]): Promise<void> {
  const started = performance.now();
  for (const p of batch) metrics.valueWriteQueueSeconds.observe((started - p.queuedAt) / 1000);
  // db and onCommitted are the lane's, the same for every write in it.
  const ctx = batch[0]!.ctx;
  const marker = newCommitMarker();
  let sent: ValueWriteOutcome[] | null = null;
  const outcomeRows = (outcomes: ValueWriteOutcome[]) => {
    sent = outcomes;
    const responses = outcomes.flatMap((o, i) => (o.ok && batch[i]!.claim ? [{ claim: batch[i]!.claim!, json: JSON.stringify(o.view) }] : []));
    return outcomeRowsInsert(marker, responses);
  };
  let outcomes: ValueWriteOutcome[];
  try {
    const batchDb = batchDbFor(ctx.db);
    outcomes = batchDb
      ? await inBatchTransaction(ctx, batchDb, (tx, outbox, send) => applyValueWrites(tx, outbox, batch, { send, db: ctx.db, outcomeRows }))
      : await inTransaction(ctx, (tx, outbox) => applyValueWrites(tx, outbox, batch, { db: ctx.db, outcomeRows }));
  } catch (err) {
    const wrote: ValueWriteOutcome[] | null = sent;
    if (wrote && outcomeIsOpen(err)) return settleOpenBatch(batch, wrote, ctx, marker, err);
    if (isDuplicateKey(err) && batch.some((p) => p.claim)) return requeueAfterTakenKey(batch);
    for (const p of batch) p.reject(err);
    return;
  }
  metrics.valueWriteBatchSize.observe(batch.length);
  metrics.valueWriteBatchSeconds.observe((performance.now() - started) / 1000);
  outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.view) : batch[i]!.reject(o.error)));
}

/** The COMMIT went out and got no answer: tell each write what really happened, or that nobody knows. */
async function settleOpenBatch(batch: Pending[], outcomes: ValueWriteOutcome[], ctx: ServiceContext, marker: string, err: unknown): Promise<void> {
  const found = await checkCommitOutcome(ctx.db, marker);
  outcomes.forEach((o, i) => {
    const p = batch[i]!;
    // A refused write never wrote anything, whatever became of the batch.
    if (!o.ok) return p.reject(o.error);
    if (found === "committed") return p.resolve(o.view);
    p.reject(found === "not_committed" ? err : commitOutcomeUnknown(p.claim?.key ?? null, err));
  });
}

/**
 * A client key in the batch already had a row (a concurrent request with the same key, served by
 * another process, committed first), so the whole batch was rolled back before writing anything.
 * Keyed writes go back to their callers, who replay the stored answer; the rest are queued again.
 */
function requeueAfterTakenKey(batch: Pending[]): void {
  for (const p of batch) {
    if (p.claim) p.reject(new IdempotencyKeyTaken());
    else enqueueValueWrite(p.ctx, p.data).then(p.resolve, p.reject);
  }
}
