import { index, mysqlEnum, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ref, ts, jsonText } from "./columns";
import { environments } from "./environments";

/**
 * SDK keys authenticate the delivery endpoints. Only a SHA-256 hash of the key is stored (the key
 * itself carries 256 random bits, so a slow hash buys nothing); `prefix` lets people recognise it.
 * Bound to one environment and to `namespaceKeys` (null = all namespaces).
 * `kind`: `server` keys read flag data on the stream and snapshot; `client` keys (browsers, mobile)
 * only get OFREP evaluations and change notifications, so rules never reach an untrusted device.
 * `allowedOrigins`: browser origins allowed by CORS on a client key's endpoints (null = none).
 */
export const sdkKeys = mysqlTable(
  "sdk_keys",
  {
    id: id(),
    name: varchar("name", { length: 200 }).notNull(),
    keyHash: varchar("key_hash", { length: 64 }).notNull(),
    prefix: varchar("prefix", { length: 24 }).notNull(),
    environmentId: ref("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    namespaceKeys: jsonText("namespace_keys").$type<string[] | null>(),
    kind: mysqlEnum("kind", ["server", "client"]).notNull().default("server"),
    allowedOrigins: jsonText("allowed_origins").$type<string[] | null>(),
    createdBy: varchar("created_by", { length: 200 }).notNull(),
    createdAt: createdAt(),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("sdk_keys_hash_uq").on(t.keyHash), index("sdk_keys_env_idx").on(t.environmentId)],
);
