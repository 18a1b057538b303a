import { sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import { columnName, connectionOf, execRaw, jsonParam, tableName, type RawStatement } from "../db/raw-sql";
import { outboxEvents } from "../db/schema";
import { flagKey } from "../etcd/keys";
import type { PublishItem } from "../etcd/fence";
import type { OutboxCollector } from "../core/transaction";

/**
 * Inserts outbox rows in the caller's transaction, so a change and the promise to publish it commit
 * together. Rows are inserted in one statement; their ids come from the statement's first insert id
 * (InnoDB assigns consecutive ids within one simple multi-row INSERT).
 */
export async function writeOutbox(tx: Tx, collector: OutboxCollector, items: PublishItem[], committedAt: Date): Promise<void> {
  const CHUNK = 1000;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    const st = outboxInsert(chunk, committedAt, collector.relayGraceMs);
    recordOutboxIds(collector, chunk, committedAt, (await execRaw(connectionOf(tx), st.sql, st.params)).insertId);
  }
}

/** The INSERT of writeOutbox, for callers that send it together with other statements. */
export function outboxInsert(items: PublishItem[], committedAt: Date, relayGraceMs: number): RawStatement {
  const graceMicros = Math.round(relayGraceMs * 1000);
  const params: unknown[] = [];
  for (const item of items) {
    params.push(flagKey(item.address), item.op, item.version, jsonParam(item.op === "put" ? item.document : item.tombstone), graceMicros, committedAt);
  }
  return { sql: INSERT_HEAD + Array(items.length).fill(INSERT_ROW).join(", "), params };
}

/** Hands the inserted rows to the collector, ids counted from the statement's first insert id. */
export function recordOutboxIds(collector: OutboxCollector, items: PublishItem[], committedAt: Date, insertId: number | bigint): void {
  const first = Number(insertId);
  items.forEach((item, j) => collector.rows.push({ id: first + j, item, committedAt }));
}

// Plain SQL (see db/raw-sql.ts): this runs once per write on the hottest path. next_attempt_at is
// on the database clock, like dueAt() below.
const INSERT_HEAD = `INSERT INTO ${tableName(outboxEvents)} (${(["etcdKey", "op", "version", "payload", "nextAttemptAt", "createdAt"] as const)
  .map((c) => columnName(outboxEvents, c))
  .join(", ")}) VALUES `;
const INSERT_ROW = "(?, ?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, ?)";

/**
 * When the relay may claim a row, on the database's clock (the relay compares with the same
 * clock), so clock skew between app and worker hosts never delays or hurries the relay.
 */
export function dueAt(delayMs: number) {
  return delayMs > 0 ? sql`UTC_TIMESTAMP(3) + INTERVAL ${Math.round(delayMs * 1000)} MICROSECOND` : sql`UTC_TIMESTAMP(3)`;
}
