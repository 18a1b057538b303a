import { boolean, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id, ts, updatedAt } from "./columns";

/**
 * Console users. `passwordHash` is a bcrypt hash (null for users who only sign in through OIDC).
 * `isSuperAdmin` grants every role in every namespace, including user management; the quick-start
 * seed creates one.
 */
export const users = mysqlTable(
  "users",
  {
    id: id(),
    email: varchar("email", { length: 254 }).notNull(),
    name: varchar("name", { length: 200 }).notNull(),
    passwordHash: varchar("password_hash", { length: 100 }),
    isSuperAdmin: boolean("is_super_admin").notNull().default(false),
    disabledAt: ts("disabled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email)],
);
