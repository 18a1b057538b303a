import { char, index, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ref, ts } from "./columns";
import { users } from "./users";

/**
 * A console user's single-sign-on identity: the OIDC (issuer, subject) pair it was linked to on its
 * first sign-in. Later sign-ins find the user by this pair, never again by e-mail, so an address the
 * identity provider hands to someone else later does not open the account. `identityHash` is the
 * SHA-256 of issuer and subject: the unique key must compare exactly, and a text column under the
 * database's case- and accent-insensitive collation would not (subjects are case-sensitive).
 */
export const userIdentities = mysqlTable(
  "user_identities",
  {
    id: id(),
    userId: ref("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    issuer: varchar("issuer", { length: 255 }).notNull(),
    subject: varchar("subject", { length: 255 }).notNull(),
    identityHash: char("identity_hash", { length: 64 }).notNull(),
    createdAt: createdAt(),
    lastSignInAt: ts("last_sign_in_at"),
  },
  (t) => [uniqueIndex("user_identities_hash_uq").on(t.identityHash), index("user_identities_user_idx").on(t.userId)],
);
