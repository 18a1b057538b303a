import { int, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, jsonText, ref, ts, updatedAt } from "./columns";
import { namespaces } from "./namespaces";

/**
 * Segments (issue 14): named, reusable constraint sets of one namespace, referenced by rules. A
 * segment is published to every environment (`segments/{env}/{ns}/{key}`), all with the segment's
 * one `version`. Deletion is soft (`deleted_at`), like flags, so a segment re-created under the same
 * key continues its version sequence and no SDK ever sees a segment's version go backwards.
 */
export const segments = mysqlTable(
  "segments",
  {
    id: id(),
    namespaceId: ref("namespace_id")
      .notNull()
      .references(() => namespaces.id),
    key: varchar("key", { length: 128 }).notNull(),
    name: varchar("name", { length: 200 }),
    constraints: jsonText("constraints").$type<unknown[]>().notNull(),
    version: int("version", { unsigned: true }).notNull(),
    deletedAt: ts("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("segments_ns_key_uq").on(t.namespaceId, t.key)],
);
