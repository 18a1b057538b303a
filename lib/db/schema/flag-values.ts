import { int, mysqlTable, uniqueIndex } from "drizzle-orm/mysql-core";
import { id, ref, ts, updatedAt, jsonText } from "./columns";
import { environments } from "./environments";
import { flags } from "./flags";

/**
 * The value of a flag in one environment. `version` is the per-(flag, environment) sequence that is
 * published to etcd and to SDKs; every change that alters what is served for this pair (value,
 * type, archive, delete, re-create) increments it inside the writing transaction, under the row lock,
 * so concurrent writers can never produce two changes with the same version.
 */
export const flagValues = mysqlTable(
  "flag_values",
  {
    id: id(),
    flagId: ref("flag_id")
      .notNull()
      .references(() => flags.id, { onDelete: "cascade" }),
    environmentId: ref("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    value: jsonText("value").$type<unknown>(),
    version: int("version", { unsigned: true }).notNull(),
    updatedAt: updatedAt(),
    committedAt: ts("committed_at"),
  },
  (t) => [uniqueIndex("flag_values_flag_env_uq").on(t.flagId, t.environmentId)],
);
