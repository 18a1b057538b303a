import { mysqlEnum, mysqlTable, uniqueIndex } from "drizzle-orm/mysql-core";
import { createdAt, id, ref, jsonText } from "./columns";
import { namespaces } from "./namespaces";
import { users } from "./users";

export const ROLES = ["admin", "editor", "reviewer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/**
 * A user's role in one namespace (`namespaceId` null = every namespace). `environmentKeys`, when set,
 * restricts an editor's writes to those environments (e.g. everything but production).
 */
export const roleMemberships = mysqlTable(
  "role_memberships",
  {
    id: id(),
    userId: ref("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    namespaceId: ref("namespace_id").references(() => namespaces.id, { onDelete: "cascade" }),
    role: mysqlEnum("role", ROLES).notNull(),
    environmentKeys: jsonText("environment_keys").$type<string[] | null>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("role_memberships_user_ns_uq").on(t.userId, t.namespaceId)],
);
