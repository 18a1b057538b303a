import { index, int, mysqlEnum, mysqlTable, text, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ts, jsonText } from "./columns";

export const OUTBOX_STATUSES = ["pending", "done", "dead"] as const;
export const OUTBOX_OPS = ["put", "delete"] as const;

/**
 * Transactional outbox: one row per (flag, environment) change, inserted by `writeOutbox(tx, ...)` in
 * the mutation's transaction. The relay claims due rows with
 * `SELECT ... WHERE status='pending' AND next_attempt_at <= now ORDER BY id FOR UPDATE SKIP LOCKED`
 * (index `outbox_claim_idx` makes that a range scan, and SKIP LOCKED lets several relays, or the
 * write path's own immediate publish, work without blocking each other).
 *
 * `payload` is the etcd document (schema `flag.v1`) for puts; for deletes it carries the version the
 * tombstone records. A row that keeps failing is retried with capped exponential backoff and after
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
