import { mysqlTable, text, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, updatedAt } from "./columns";

/** A namespace groups flags (usually one per team or service); RBAC roles are granted per namespace. */
export const namespaces = mysqlTable(
  "namespaces",
  {
    id: id(),
    key: varchar("key", { length: 128 }).notNull(),
    name: varchar("name", { length: 200 }).notNull(),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("namespaces_key_uq").on(t.key)],
);
