import type { Namespace } from "etcd3";
import type { Db } from "../db/client";
import { columnName, execRaw, poolOf, tableName } from "../db/raw-sql";
import { outboxEvents } from "../db/schema";
import { publishMany } from "../etcd/fence";
import { flagKey } from "../etcd/keys";
import { metrics } from "../observability/metrics";
import type { CommittedOutboxRow } from "../core/context";

/** Publishes running at once; more commits meanwhile queue up and go out as one batch. */
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 500;
/** Rows marked done per UPDATE; one UPDATE runs at a time. */
const MAX_MARK_BATCH = 1000;

/**
 * The write path's own publish, run right after commit so a change reaches etcd in milliseconds
 * instead of a relay poll later. It uses the same fence as the relay, so racing the relay is
 * harmless, and any failure just leaves the row pending for the relay: the outbox row remains the
 * guarantee. Rows are marked done only where still pending.
 *
 * Nothing on the way to etcd waits for the database: there is no claim before publishing, and
 * marking rows done is a separate queue (one UPDATE at a time, batching whatever was published
 * meanwhile). Under load the pool is busy with request transactions, and waiting in its queue
 * would otherwise add that wait to every commit -> etcd lag. A row the relay also picks up
 * meanwhile costs it one fenced transaction that finds the key already current (see fence.ts).
 *
 * Under load, commits that arrive while MAX_IN_FLIGHT publishes are running are gathered into one
 * batch (one fenced publish per key), so throughput grows without adding latency to a lone change.
 */
const O = (c: Parameters<typeof columnName<typeof outboxEvents>>[1]) => columnName(outboxEvents, c);
const MARK_DONE_HEAD = `UPDATE ${tableName(outboxEvents)} SET ${O("status")} = 'done', ${O("publishedAt")} = ? WHERE ${O("id")} IN (?) AND (${O("id")}, ${O("etcdKey")}, ${O("version")}, ${O("status")}) IN (`;

export function createImmediatePublisher(db: Db, root: Namespace, log: (msg: string, err?: unknown) => void = () => {}) {
  let queue: CommittedOutboxRow[] = [];
  let inFlight = 0;
  let published: CommittedOutboxRow[] = [];
  let marking = false;

  async function publish(rows: CommittedOutboxRow[]): Promise<void> {
    try {
      const outcomes = await publishMany(root, rows.map((r) => r.item));
      const now = Date.now();
      rows.forEach((r, i) => {
        metrics.immediatePublished.inc({ outcome: outcomes[i] ?? "stale" });
        metrics.commitToEtcdSeconds.observe({ path: "immediate" }, (now - r.committedAt.getTime()) / 1000);
      });
      published.push(...rows);
      markDone();
    } catch (err) {
      metrics.immediatePublished.inc({ outcome: "failed" }, rows.length);
      log("immediate publish failed; the relay will publish these rows", err);
    }
  }

  function markDone(): void {
    if (marking || !published.length) return;
    const rows = published.slice(0, MAX_MARK_BATCH);
    published = published.slice(rows.length);
    marking = true;
    // Plain SQL (see db/raw-sql.ts). Still pending, and key and version match too, so a wrongly
    // derived id can never mark another row done. Written as one row comparison on purpose: with a
    // separate `status = 'pending'` the optimiser may scan the status index instead of doing point
    // lookups by id, and that locks every pending row and the gaps between them, which blocks
    // concurrent writers' outbox inserts and the relay's claim (even deadlocks them).
    const params: unknown[] = [new Date(), rows.map((r) => r.id)];
    for (const r of rows) params.push(r.id, flagKey(r.item.address), r.item.version);
    execRaw(poolOf(db), MARK_DONE_HEAD + Array(rows.length).fill("(?, ?, ?, 'pending')").join(", ") + ")", params)
      .then(
        () => {},
        // Only bookkeeping failed: the relay will find these rows current and mark them done.
        (err: unknown) => log("marking published outbox rows done failed; the relay will", err),
      )
      .finally(() => {
        marking = false;
        markDone();
      });
  }

  function pump(): void {
    while (inFlight < MAX_IN_FLIGHT && queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      inFlight++;
      void publish(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return function onCommitted(rows: CommittedOutboxRow[]): void {
    queue.push(...rows);
    pump();
  };
}
