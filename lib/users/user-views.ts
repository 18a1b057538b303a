import { asc, eq, inArray } from "drizzle-orm";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import type { Db, Tx } from "../db/client";
import { namespaces, roleMemberships, users } from "../db/schema";
import { forbidden } from "../errors/service-error";
import type { MembershipView, UserView } from "./schemas";

type UserRow = typeof users.$inferSelect;

/** Role memberships per user id, with namespace keys (null = every namespace). */
export async function membershipsByUser(db: Db | Tx, userIds: number[]): Promise<Map<number, MembershipView[]>> {
  const out = new Map<number, MembershipView[]>();
  if (!userIds.length) return out;
  const rows = await db
    .select({ userId: roleMemberships.userId, role: roleMemberships.role, environmentKeys: roleMemberships.environmentKeys, nsId: roleMemberships.namespaceId, nsKey: namespaces.key })
    .from(roleMemberships)
    .leftJoin(namespaces, eq(namespaces.id, roleMemberships.namespaceId))
    .where(inArray(roleMemberships.userId, userIds))
    .orderBy(asc(namespaces.key));
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ namespace: r.nsId === null ? null : r.nsKey, role: r.role, environments: r.environmentKeys ?? null });
    out.set(r.userId, list);
  }
  return out;
}

/** A user as the console and the audit log see it: never the password hash. */
export function toUserView(u: UserRow, memberships: MembershipView[]): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    isSuperAdmin: u.isSuperAdmin,
    disabled: u.disabledAt !== null,
    hasPassword: u.passwordHash !== null,
    createdAt: u.createdAt.toISOString(),
    memberships,
  };
}

export async function loadUserView(db: Db | Tx, u: UserRow): Promise<UserView> {
  return toUserView(u, (await membershipsByUser(db, [u.id])).get(u.id) ?? []);
}

export async function userRows(db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.email));
}

/**
 * Who may see users, and which of their memberships: super-admins see everything; namespace admins
 * (who grant roles in their namespaces) see every user but only memberships in namespaces they
 * administer; anyone else sees no users. Returns the membership filter, or throws.
 */
export function userVisibility(actor: Actor): (m: MembershipView) => boolean {
  const isNamespaceAdmin = actor.grants.some((g) => g.role === "admin");
  if (!actor.isSuperAdmin && !isNamespaceAdmin) throw forbidden("Only administrators can see users");
  if (actor.isSuperAdmin) return () => true;
  return (m) => m.namespace !== null && can(actor, "namespace:admin", { namespaceKey: m.namespace });
}
