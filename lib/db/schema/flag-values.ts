import { int, mysqlTable, uniqueIndex } from "drizzle-orm/mysql-core";
import { id, ref, ts, updatedAt, jsonText } from "./columns";
import { environments } from "./environments";
import { flags } from "./flags";

/**
 * The value of a flag in one environment. `version` is the per-(flag, environment) sequence that is
 * published to etcd and to SDKs; every change that alters what is served for this pair (value,
 * type, archive, delete, re-create) increments it inside the writing transaction, under the row lock,
 * so concurrent writers can never produce two changes with the same version.
 *
 * `targeting` (issue 14) is the flag's rules in this environment: the engine's FlagTargeting minus
 * key/type/value (sdk/src/targeting/model.ts), null = no rules. It lives on this row, not in a 1:1
 * table, because ONE version covers value and targeting: a rules change bumps this same `version`
 * under this same row lock, and every path that builds the published document from this row (value
 * writes, archive/restore, the reconciler) carries the rules without a second read or lock.
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
    targeting: jsonText("targeting").$type<Record<string, unknown> | null>(),
    updatedAt: updatedAt(),
    committedAt: ts("committed_at"),
  },
  (t) => [uniqueIndex("flag_values_flag_env_uq").on(t.flagId, t.environmentId)],
);
