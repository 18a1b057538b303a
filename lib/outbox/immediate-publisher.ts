import type { Namespace } from "etcd3";
import { and, eq, sql } from "drizzle-orm";
import { flagKey } from "../etcd/keys";
import type { Db } from "../db/client";
import { outboxEvents } from "../db/schema";
import { publishMany } from "../etcd/fence";
import { metrics } from "../observability/metrics";
import type { CommittedOutboxRow } from "../services/context";

/**
 * The write path's own publish, run right after commit so a change reaches etcd in milliseconds
 * instead of a relay poll later. It uses the same fence as the relay, so racing the relay is
 * harmless, and any failure just leaves the row pending for the relay: the outbox row remains the
 * guarantee. Rows are marked done only where still pending.
 */
export function createImmediatePublisher(db: Db, root: Namespace, log: (msg: string, err?: unknown) => void = () => {}) {
  return function onCommitted(rows: CommittedOutboxRow[]): void {
    void (async () => {
      try {
        const outcomes = await publishMany(root, rows.map((r) => r.item));
        const now = Date.now();
        rows.forEach((r, i) => {
          metrics.immediatePublished.inc({ outcome: outcomes[i] ?? "stale" });
          metrics.commitToEtcdSeconds.observe({ path: "immediate" }, (now - r.committedAt.getTime()) / 1000);
        });
        await db
          .update(outboxEvents)
          .set({ status: "done", publishedAt: new Date(now) })
          .where(
            and(
              eq(outboxEvents.status, "pending"),
              // Match key and version too, so a wrongly derived id can never mark another row done.
              sql`(${outboxEvents.id}, ${outboxEvents.etcdKey}, ${outboxEvents.version}) IN (${sql.join(
                rows.map((r) => sql`(${r.id}, ${flagKey(r.item.address)}, ${r.item.version})`),
                sql`, `,
              )})`,
            ),
          );
      } catch (err) {
        metrics.immediatePublished.inc({ outcome: "failed" }, rows.length);
        log("immediate publish failed; the relay will publish these rows", err);
      }
    })();
  };
}
