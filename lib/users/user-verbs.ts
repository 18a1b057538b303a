import { eq } from "drizzle-orm";
import { clearApiTokenCache } from "../auth/api-token-auth";
import { assertSuperAdmin } from "../auth/permissions";
import { hashPassword, verifyPassword } from "../auth/password";
import { users } from "../db/schema";
import { isDuplicateKey } from "../db/errors";
import { conflict, notFound, ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { CreateUserSchema, SetPasswordSchema, UpdateUserSchema, type UserView } from "./schemas";
import { loadUserView, membershipsByUser, toUserView, userRows, userVisibility } from "./user-views";

/**
 * Console users. Super-admins create and change users; namespace admins may list users (to grant
 * roles in their namespaces) but only see memberships in namespaces they administer.
 */
export async function listUsers({ ctx }: { ctx: ServiceContext; input?: unknown }): Promise<UserView[]> {
  const visible = userVisibility(ctx.actor);
  const rows = await userRows(ctx.db);
  const memberships = await membershipsByUser(ctx.db, rows.map((r) => r.id));
  return rows.map((u) => toUserView(u, (memberships.get(u.id) ?? []).filter(visible)));
}

export async function createUser({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<UserView> {
  const data = parseInput(CreateUserSchema, input);
  assertSuperAdmin(ctx.actor, "create users");
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  return inTransaction(ctx, async (tx) => {
    const at = new Date();
    try {
      await tx.insert(users).values({ email: data.email, name: data.name, passwordHash, isSuperAdmin: data.isSuperAdmin, createdAt: at, updatedAt: at });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`A user with the e-mail ${data.email} already exists`);
      throw err;
    }
    const [row] = await tx.select().from(users).where(eq(users.email, data.email));
    const view = toUserView(row!, []);
    await writeAudit(tx, ctx.actor, ctx.meta, { action: "user.create", targetType: "user", targetId: view.id, after: view, reason: data.reason });
    return view;
  });
}

export async function updateUser({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<UserView> {
  const data = parseInput(UpdateUserSchema, input);
  assertSuperAdmin(ctx.actor, "change users");
  const self = ctx.actor.type === "user" && ctx.actor.id === String(data.userId);
  // Guard against locking everyone out: nobody removes their own rights or disables themselves.
  if (self && data.isSuperAdmin === false) throw new ServiceError("bad_request", "You cannot remove your own administrator rights");
  if (self && data.disabled === true) throw new ServiceError("bad_request", "You cannot disable your own account");
  const out = await inTransaction(ctx, async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, data.userId)).for("update");
    if (!row) throw notFound("User");
    const at = new Date();
    const next = {
      ...row,
      name: data.name ?? row.name,
      isSuperAdmin: data.isSuperAdmin ?? row.isSuperAdmin,
      disabledAt: data.disabled === undefined ? row.disabledAt : data.disabled ? (row.disabledAt ?? at) : null,
      updatedAt: at,
    };
    await tx.update(users).set({ name: next.name, isSuperAdmin: next.isSuperAdmin, disabledAt: next.disabledAt, updatedAt: at }).where(eq(users.id, row.id));
    const before = await loadUserView(tx, row);
    const after = { ...toUserView(next, before.memberships) };
    await writeAudit(tx, ctx.actor, ctx.meta, { action: "user.update", targetType: "user", targetId: row.id, before, after, reason: data.reason });
    return after;
  });
  // Tokens this user minted act with the user's current rights: drop what this process cached.
  clearApiTokenCache();
  return out;
}

/** How recent a sign-in must be for a user without a password (single sign-on only) to set one. */
export const RECENT_SIGN_IN_MS = 5 * 60_000;

/**
 * Sets a password. Super-admins may reset anyone's; users may change their own when they give the
 * current one. Users who have none (they sign in through single sign-on) prove who they are by a
 * sign-in in the last RECENT_SIGN_IN_MS instead: a stolen or forgotten-open session must not be
 * able to add a password and so a second, lasting way in. The new hash changes the session
 * fingerprint, so older sessions of that user end.
 */
export async function setUserPassword({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ changed: true }> {
  const data = parseInput(SetPasswordSchema, input);
  const self = ctx.actor.type === "user" && ctx.actor.id === String(data.userId);
  if (!self) assertSuperAdmin(ctx.actor, "reset other users' passwords");
  const passwordHash = await hashPassword(data.password);
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, data.userId)).for("update");
    if (!row) throw notFound("User");
    if (self && row.passwordHash && !(await verifyPassword(data.currentPassword ?? "", row.passwordHash))) {
      throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: "currentPassword", message: "is not your current password" }] });
    }
    if (self && !row.passwordHash && !signedInRecently(ctx)) {
      throw new ServiceError("forbidden", "Sign in again with single sign-on, then set your password within 5 minutes", {
        details: { reason: "reauthentication_required" },
      });
    }
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, row.id));
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: self ? "user.password_change" : "user.password_reset",
      targetType: "user",
      targetId: row.id,
      after: { id: row.id, email: row.email },
      reason: data.reason,
    });
    return { changed: true as const };
  });
}

function signedInRecently(ctx: ServiceContext, now = Date.now()): boolean {
  const at = ctx.actor.authenticatedAtMs;
  return at !== undefined && at <= now + 60_000 && now - at <= RECENT_SIGN_IN_MS;
}
