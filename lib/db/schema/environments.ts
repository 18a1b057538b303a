import { mysqlTable, text, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, updatedAt } from "./columns";

/**
 * Environments are global (production, staging, ...). Every flag has one value row per environment,
 * and an SDK key is bound to exactly one environment.
 */
export const environments = mysqlTable(
  "environments",
  {
    id: id(),
    key: varchar("key", { length: 128 }).notNull(),
    name: varchar("name", { length: 200 }).notNull(),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("environments_key_uq").on(t.key)],
);
