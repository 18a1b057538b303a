import { bigint, index, mysqlEnum, mysqlTable, text, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, jsonText } from "./columns";

export const ACTOR_TYPES = ["user", "api_token", "system"] as const;

/**
 * Append-only audit log. Written by `writeAudit(tx, ...)` inside the mutation's own transaction, so
 * a change without its audit row cannot commit. `before`/`after` hold the full entity snapshots that
 * the review pages diff and that rollback restores from.
 */
export const auditEvents = mysqlTable(
  "audit_events",
  {
    id: id(),
    occurredAt: createdAt(),
    actorType: mysqlEnum("actor_type", ACTOR_TYPES).notNull(),
    actorId: varchar("actor_id", { length: 64 }),
    actorName: varchar("actor_name", { length: 200 }).notNull(),
    ip: varchar("ip", { length: 64 }),
    traceId: varchar("trace_id", { length: 64 }),
    action: varchar("action", { length: 64 }).notNull(),
    targetType: varchar("target_type", { length: 32 }).notNull(),
    targetId: bigint("target_id", { mode: "number", unsigned: true }),
    namespaceKey: varchar("namespace_key", { length: 128 }),
    environmentKey: varchar("environment_key", { length: 128 }),
    flagKey: varchar("flag_key", { length: 128 }),
    before: jsonText("before").$type<unknown>(),
    after: jsonText("after").$type<unknown>(),
    reason: text("reason"),
  },
  (t) => [
    index("audit_time_idx").on(t.occurredAt),
    index("audit_flag_idx").on(t.namespaceKey, t.flagKey, t.occurredAt),
    index("audit_actor_idx").on(t.actorName, t.occurredAt),
    // One entity's history by its id (a segment's versions, which carry no flag key), newest first
    // by id as the keyset pages read it; without it that read scanned the namespace's events.
    index("audit_target_idx").on(t.targetType, t.targetId, t.id),
  ],
);
