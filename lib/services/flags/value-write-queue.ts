import { batchDbFor, type Db } from "../../db/client";
import { metrics } from "../../observability/metrics";
import type { ServiceContext } from "../context";
import { inBatchTransaction } from "../batch-transaction";
import { inTransaction } from "../transaction";
import { applyValueWrites, type ValueWrite } from "./apply-value-writes";
import type { FlagView } from "./schemas";

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
 * waits for nothing. Each write keeps its own version, audit row, outbox row and error; a failure
 * of the transaction itself (database down) fails every write in it, and none of them committed.
 * Lanes are per database and post-commit hook, so a batch never mixes the two.
 */
export function enqueueValueWrite(ctx: ServiceContext, data: ValueWrite["data"]): Promise<FlagView> {
  const byHook = lanes.get(ctx.db) ?? lanes.set(ctx.db, new Map()).get(ctx.db)!;
  let lane = byHook.get(ctx.onCommitted);
  if (!lane) {
    lane = { queue: [], inFlight: 0, scheduled: false };
    byHook.set(ctx.onCommitted, lane);
  }
  const l = lane;
  return new Promise<FlagView>((resolve, reject) => {
    l.queue.push({ ctx, data, resolve, reject, queuedAt: performance.now() });
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
  try {
    // db and onCommitted are the lane's, the same for every write in it.
    const ctx = batch[0]!.ctx;
    const batchDb = batchDbFor(ctx.db);
    const outcomes = batchDb
      ? await inBatchTransaction(ctx, batchDb, (tx, outbox, send) => applyValueWrites(tx, outbox, batch, { send, db: ctx.db }))
      : await inTransaction(ctx, (tx, outbox) => applyValueWrites(tx, outbox, batch, { db: ctx.db }));
    metrics.valueWriteBatchSize.observe(batch.length);
    metrics.valueWriteBatchSeconds.observe((performance.now() - started) / 1000);
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.view) : batch[i]!.reject(o.error)));
  } catch (err) {
    for (const p of batch) p.reject(err);
  }
}
