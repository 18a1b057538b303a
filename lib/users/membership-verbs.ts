import { and, eq, inArray, isNull } from "drizzle-orm";
import { clearApiTokenCache } from "../auth/api-token-auth";
import { assertCan, assertSuperAdmin } from "../auth/permissions";
import type { Tx } from "../db/client";
import { environments, namespaces, roleMemberships, users } from "../db/schema";
import { notFound, ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { GrantRoleSchema, RevokeRoleSchema, type MembershipView } from "./schemas";

/**
 * Role memberships. A role in one namespace is granted by that namespace's admins (or super-admins);
 * a role over every namespace only by super-admins. The user row is locked first: the unique index
 * on (user, namespace) does not cover the every-namespace row (NULLs are distinct in MySQL), so the
 * lock is what keeps a user at one membership per namespace.
 */
function assertMayManage(ctx: ServiceContext, namespace: string | null) {
  if (namespace === null) assertSuperAdmin(ctx.actor, "grant roles in every namespace");
  else assertCan(ctx.actor, "namespace:admin", { namespaceKey: namespace });
}

async function lockTarget(tx: Tx, userId: number, namespace: string | null) {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw notFound("User");
  let namespaceId: number | null = null;
  if (namespace !== null) {
    const [ns] = await tx.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, namespace));
    if (!ns) throw notFound(`Namespace '${namespace}'`);
    namespaceId = ns.id;
  }
  const where = and(eq(roleMemberships.userId, userId), namespaceId === null ? isNull(roleMemberships.namespaceId) : eq(roleMemberships.namespaceId, namespaceId));
  const [existing] = await tx.select().from(roleMemberships).where(where);
  return { user, namespaceId, existing, where };
}

const view = (namespace: string | null, m: { role: MembershipView["role"]; environmentKeys: string[] | null } | undefined): MembershipView | null =>
  m ? { namespace, role: m.role, environments: m.environmentKeys ?? null } : null;

export async function grantRole({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<MembershipView> {
  const data = parseInput(GrantRoleSchema, input);
  assertMayManage(ctx, data.namespace);
  const envKeys = data.environments ?? null;
  const out = await inTransaction(ctx, async (tx) => {
    const { user, namespaceId, existing, where } = await lockTarget(tx, data.userId, data.namespace);
    if (envKeys) {
      const found = await tx.select({ key: environments.key }).from(environments).where(inArray(environments.key, envKeys));
      const missing = envKeys.filter((k) => !found.some((f) => f.key === k));
      if (missing.length) {
        throw new ServiceError("validation_failed", "Invalid input", { issues: [{ path: "environments", message: `no such environment: ${missing.join(", ")}` }] });
      }
    }
    if (existing) await tx.update(roleMemberships).set({ role: data.role, environmentKeys: envKeys }).where(where);
    else await tx.insert(roleMemberships).values({ userId: user.id, namespaceId, role: data.role, environmentKeys: envKeys });
    const after = { namespace: data.namespace, role: data.role, environments: envKeys };
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "role.grant",
      targetType: "user",
      targetId: user.id,
      namespaceKey: data.namespace,
      before: existing ? { user: user.email, ...view(data.namespace, existing) } : null,
      after: { user: user.email, ...after },
      reason: data.reason,
    });
    return after;
  });
  // Tokens this user minted act with the user's current rights: drop what this process cached.
  clearApiTokenCache();
  return out;
}

export async function revokeRole({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ revoked: boolean }> {
  const data = parseInput(RevokeRoleSchema, input);
  assertMayManage(ctx, data.namespace);
  const out = await inTransaction(ctx, async (tx) => {
    const { user, existing, where } = await lockTarget(tx, data.userId, data.namespace);
    if (!existing) return { revoked: false };
    await tx.delete(roleMemberships).where(where);
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "role.revoke",
      targetType: "user",
      targetId: user.id,
      namespaceKey: data.namespace,
      before: { user: user.email, ...view(data.namespace, existing) },
      after: null,
      reason: data.reason,
    });
    return { revoked: true };
  });
  // Tokens this user minted act with the user's current rights: drop what this process cached.
  clearApiTokenCache();
  return out;
}
