import { boolean, mysqlEnum, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ref, ts, jsonText } from "./columns";
import { users } from "./users";
import { ROLES } from "./role-memberships";

/**
 * Admin API tokens for automation. Stored as a SHA-256 hash (high-entropy secret), shown once.
 * A token acts with `role` over `namespaceKeys` (null = all namespaces); `isSuperAdmin` tokens may
 * also manage users, environments and keys. Revoked or expired tokens are rejected.
 * A token acts with at most the current rights of whoever created it: `createdByUserId` for a
 * user, `createdByTokenId` for a token (whose own creator bounds it in turn); neither = the system.
 */
export const apiTokens = mysqlTable(
  "api_tokens",
  {
    id: id(),
    name: varchar("name", { length: 200 }).notNull(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull(),
    prefix: varchar("prefix", { length: 24 }).notNull(),
    role: mysqlEnum("role", ROLES).notNull(),
    isSuperAdmin: boolean("is_super_admin").notNull().default(false),
    namespaceKeys: jsonText("namespace_keys").$type<string[] | null>(),
    createdByUserId: ref("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdByTokenId: ref("created_by_token_id"),
    createdAt: createdAt(),
    expiresAt: ts("expires_at"),
    revokedAt: ts("revoked_at"),
    lastUsedAt: ts("last_used_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash_uq").on(t.tokenHash)],
);
