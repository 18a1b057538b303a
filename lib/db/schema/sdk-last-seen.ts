import { bigint, mysqlTable, primaryKey, varchar } from "drizzle-orm/mysql-core";
import { ts } from "./columns";

/**
 * When reporting SDK clients last held an environment's namespace (lib/last-seen/): one row per
 * (environment, namespace), written at most once per flush interval from the presence summaries in
 * etcd, never per SDK report. `revision` is the highest etcd revision such a client had applied, so
 * a flag published after it is not claimed as seen. Keys, not ids: the figures are advisory and
 * outlive nothing but the names they describe.
 */
export const sdkLastSeen = mysqlTable(
  "sdk_last_seen",
  {
    environmentKey: varchar("environment_key", { length: 128 }).notNull(),
    namespaceKey: varchar("namespace_key", { length: 128 }).notNull(),
    revision: bigint("revision", { mode: "number", unsigned: true }).notNull(),
    seenAt: ts("seen_at").notNull(),
  },
  (t) => [primaryKey({ name: "sdk_last_seen_pk", columns: [t.environmentKey, t.namespaceKey] })],
);
