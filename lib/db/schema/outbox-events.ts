import { index, int, mysqlEnum, mysqlTable, text, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ts, jsonText } from "./columns";

export const OUTBOX_STATUSES = ["pending", "done", "dead"] as const;
export const OUTBOX_OPS = ["put", "delete"] as const;

/**
 * Transactional outbox: one row per (flag, environment) change, inserted by `writeOutbox(tx, ...)` in
 * the mutation's transaction. The relay claims due rows in a READ COMMITTED transaction with
 * `SELECT ... WHERE status='pending' AND next_attempt_at <= now ORDER BY next_attempt_at, id
 * LIMIT n FOR UPDATE SKIP LOCKED` (workers/relay/relay-batch.ts): `outbox_claim_idx`'s own order, so
 * the scan stops after n rows and locks only those, and SKIP LOCKED lets several relays work without
 * blocking each other. The write path's immediate publish claims nothing: it publishes fenced after
 * commit and then marks its rows `done` where still pending (lib/outbox/immediate-publisher.ts).
 *
 * `payload` is the etcd document (schema `flag.v1`) for puts and the tombstone document for deletes
 * (both in lib/flags/document.ts); the relay refuses one that disagrees with the row's key or version. A row that keeps failing is retried with capped exponential backoff and after
 * `max attempts` becomes `dead`: visible in metrics and the console, and retryable by a user.
 */
export const outboxEvents = mysqlTable(
  "outbox_events",
  {
    id: id(),
    etcdKey: varchar("etcd_key", { length: 512 }).notNull(),
    op: mysqlEnum("op", OUTBOX_OPS).notNull(),
    version: int("version", { unsigned: true }).notNull(),
    payload: jsonText("payload").$type<Record<string, unknown>>().notNull(),
    status: mysqlEnum("status", OUTBOX_STATUSES).notNull().default("pending"),
    attempts: int("attempts", { unsigned: true }).notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull(),
    lastError: text("last_error"),
    createdAt: createdAt(),
    publishedAt: ts("published_at"),
  },
  (t) => [
    index("outbox_claim_idx").on(t.status, t.nextAttemptAt, t.id),
    index("outbox_prune_idx").on(t.status, t.publishedAt),
  ],
);
