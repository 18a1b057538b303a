import { boolean, index, int, mysqlEnum, mysqlTable, text, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ref, ts, updatedAt, jsonText } from "./columns";
import { namespaces } from "./namespaces";

export const FLAG_TYPES = ["boolean", "string", "number", "json"] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

/**
 * A flag's definition. Values live per environment in `flag_values`.
 *
 * Deletion is soft (`deleted_at`): the row and its per-environment versions survive so that a flag
 * re-created under the same key continues its version sequence, and no SDK ever sees a version go
 * backwards for that key. Archived and deleted flags are not served (their etcd keys are deleted).
 * `version` guards the definition itself (description, tags, archived) for optimistic concurrency.
 */
export const flags = mysqlTable(
  "flags",
  {
    id: id(),
    namespaceId: ref("namespace_id")
      .notNull()
      .references(() => namespaces.id),
    key: varchar("key", { length: 128 }).notNull(),
    type: mysqlEnum("type", FLAG_TYPES).notNull(),
    description: text("description"),
    tags: jsonText("tags").$type<string[]>().notNull(),
    defaultValue: jsonText("default_value").$type<unknown>(),
    archived: boolean("archived").notNull().default(false),
    version: int("version", { unsigned: true }).notNull().default(1),
    deletedAt: ts("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("flags_ns_key_uq").on(t.namespaceId, t.key),
    index("flags_ns_archived_idx").on(t.namespaceId, t.archived, t.key),
  ],
);
