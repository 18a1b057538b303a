import { sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import { outboxEvents } from "../db/schema";
import { flagKey } from "../etcd/keys";
import type { PublishItem } from "../etcd/fence";
import type { OutboxCollector } from "../services/transaction";

/**
 * Inserts outbox rows in the caller's transaction, so a change and the promise to publish it commit
 * together. Rows are inserted in one statement; their ids come from the statement's first insert id
 * (InnoDB assigns consecutive ids within one simple multi-row INSERT).
 */
export async function writeOutbox(tx: Tx, collector: OutboxCollector, items: PublishItem[], committedAt: Date): Promise<void> {
  if (items.length === 0) return;
  const CHUNK = 1000;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    const [res] = await tx.insert(outboxEvents).values(
      chunk.map((item) => ({
        etcdKey: flagKey(item.address),
        op: item.op,
        version: item.version,
        payload: (item.op === "put" ? item.document : item.tombstone) as unknown as Record<string, unknown>,
        nextAttemptAt: dueAt(collector.relayGraceMs),
        createdAt: committedAt,
      })),
    );
    const first = Number(res.insertId);
    chunk.forEach((item, j) => collector.rows.push({ id: first + j, item, committedAt }));
  }
}

/**
 * When the relay may claim a row, on the database's clock (the relay compares with the same
 * clock), so clock skew between app and worker hosts never delays or hurries the relay.
 */
export function dueAt(delayMs: number) {
  return delayMs > 0 ? sql`UTC_TIMESTAMP(3) + INTERVAL ${Math.round(delayMs * 1000)} MICROSECOND` : sql`UTC_TIMESTAMP(3)`;
}
