import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { namespaces, roleMemberships, users } from "../db/schema";
import type { Actor, Grant } from "./actor";

export type UserRow = typeof users.$inferSelect;

/**
 * A short fingerprint of the user's password hash, carried in the session token. Changing or resetting
 * the password changes it, which ends every session issued before the change.
 */
export function passwordFingerprint(passwordHash: string | null): string {
  return createHash("sha256").update(passwordHash ?? "no-password").digest("base64url").slice(0, 16);
}

/** The role grants of a user, read from role_memberships (null namespace = every namespace). */
export async function loadGrants(db: Db, userId: number): Promise<Grant[]> {
  const rows = await db
    .select({ role: roleMemberships.role, environmentKeys: roleMemberships.environmentKeys, namespaceKey: namespaces.key, namespaceId: roleMemberships.namespaceId })
    .from(roleMemberships)
    .leftJoin(namespaces, eq(namespaces.id, roleMemberships.namespaceId))
    .where(eq(roleMemberships.userId, userId));
  return rows
    .filter((r) => r.namespaceId === null || r.namespaceKey !== null)
    .map((r) => ({ namespaceKey: r.namespaceId === null ? null : r.namespaceKey, role: r.role, environmentKeys: r.environmentKeys ?? null }));
}

export function actorForUser(user: UserRow, grants: Grant[]): Actor {
  return { type: "user", id: String(user.id), name: user.email, isSuperAdmin: user.isSuperAdmin, grants };
}

/**
 * Builds the Actor for a signed-in user, fresh from the database on every request, so a role change,
 * a disabled account or a password change takes effect at once. Returns null when the session no
 * longer stands for an active user.
 */
export async function loadUserActor(db: Db, userId: number, fingerprint?: string): Promise<Actor | null> {
  // Both reads at once (every console page and cookie API call pays this): grants of a user who
  // turns out disabled or signed out are simply dropped.
  const [[user], grants] = await Promise.all([db.select().from(users).where(eq(users.id, userId)), loadGrants(db, userId)]);
  if (!user || user.disabledAt) return null;
  if (fingerprint !== undefined && fingerprint !== passwordFingerprint(user.passwordHash)) return null;
  return actorForUser(user, grants);
}
