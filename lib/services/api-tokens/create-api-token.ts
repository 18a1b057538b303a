import { eq, inArray } from "drizzle-orm";
import { apiTokens, namespaces, users } from "../../db/schema";
import type { Tx } from "../../db/client";
import { forbidden, ServiceError } from "../../errors/service-error";
import { parseInput } from "../../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../context";
import { inTransaction } from "../transaction";
import { CreateApiTokenSchema, type CreatedApiToken } from "./schemas";
import { canManageToken, toApiTokenView } from "./token-access";
import { generateApiToken } from "./token-secret";

const DAY_MS = 86_400_000;

/**
 * Creates an admin API token and returns its secret once; only the SHA-256 hash and a short prefix
 * are stored. The creator must be allowed to manage the token it asks for, so nobody can mint a
 * token with more power than they have.
 */
export async function createApiToken({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<CreatedApiToken> {
  const data = parseInput(CreateApiTokenSchema, input);
  const namespaceKeys = data.namespaces === null ? null : [...new Set(data.namespaces)].sort();
  const isSuperAdmin = data.superAdmin ?? false;
  if (!canManageToken(ctx.actor, { isSuperAdmin, namespaceKeys })) {
    throw forbidden("You cannot create a token with more access than you have");
  }
  const secret = generateApiToken();
  return inTransaction(ctx, async (tx) => {
    if (namespaceKeys) await assertNamespacesExist(tx, namespaceKeys);
    const at = new Date();
    const [res] = await tx.insert(apiTokens).values({
      name: data.name,
      tokenHash: secret.hash,
      prefix: secret.prefix,
      role: data.role,
      isSuperAdmin,
      namespaceKeys,
      createdByUserId: await creatorUserId(tx, ctx),
      createdAt: at,
      expiresAt: data.expiresInDays ? new Date(at.getTime() + data.expiresInDays * DAY_MS) : null,
    });
    const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.id, Number(res.insertId)));
    const view = toApiTokenView(row!);
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "api_token.create",
      targetType: "api_token",
      targetId: view.id,
      after: view,
      reason: data.reason,
    });
    return { token: secret.token, apiToken: view };
  });
}

async function assertNamespacesExist(tx: Tx, keys: string[]): Promise<void> {
  const found = await tx.select({ key: namespaces.key }).from(namespaces).where(inArray(namespaces.key, keys));
  const known = new Set(found.map((n) => n.key));
  const missing = keys.filter((k) => !known.has(k));
  if (missing.length) {
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: missing.map((k) => ({ path: "namespaces", message: `no such namespace: ${k}` })),
    });
  }
}

/** Users are recorded as creators; tokens creating tokens (and the system) are in the audit row. */
async function creatorUserId(tx: Tx, ctx: ServiceContext): Promise<number | null> {
  if (ctx.actor.type !== "user" || !ctx.actor.id || !/^\d+$/.test(ctx.actor.id)) return null;
  const [u] = await tx.select({ id: users.id }).from(users).where(eq(users.id, Number(ctx.actor.id)));
  return u?.id ?? null;
}
