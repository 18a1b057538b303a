import { eq, inArray } from "drizzle-orm";
import { MAX_TOKEN_CHAIN, tokenStandingById } from "../auth/api-token-auth";
import { apiTokens, namespaces, users } from "../db/schema";
import type { Tx } from "../db/client";
import { forbidden, ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { CreateApiTokenSchema, type CreatedApiToken } from "./schemas";
import { canManageToken, toApiTokenView } from "./token-access";
import { generateApiToken } from "./token-secret";

const DAY_MS = 86_400_000;

/**
 * Creates an admin API token and returns its secret once; only the SHA-256 hash and a short prefix
 * are stored. The creator must be allowed to manage the token it asks for, so nobody can mint a
 * token with more power than they have. A token minting a token cannot give it a longer life than
 * its own (nor one past any token up its creator chain), and the new token stays bounded by the
 * minting token's rights for as long as it lives (auth/api-token-auth.ts).
 */
export async function createApiToken({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<CreatedApiToken> {
  const data = parseInput(CreateApiTokenSchema, input);
  const namespaceKeys = data.namespaces === null ? null : [...new Set(data.namespaces)].sort();
  const isSuperAdmin = data.superAdmin ?? false;
  if (!canManageToken(ctx.actor, { isSuperAdmin, namespaceKeys })) {
    throw forbidden("You cannot create a token with more access than you have");
  }
  const secret = generateApiToken();
  const at = new Date();
  const expiresAt = data.expiresInDays ? new Date(at.getTime() + data.expiresInDays * DAY_MS) : null;
  const createdByTokenId = await assertWithinMintingToken(ctx, expiresAt, at);
  return inTransaction(ctx, async (tx) => {
    if (namespaceKeys) await assertNamespacesExist(tx, namespaceKeys);
    const [res] = await tx.insert(apiTokens).values({
      name: data.name,
      tokenHash: secret.hash,
      prefix: secret.prefix,
      role: data.role,
      isSuperAdmin,
      namespaceKeys,
      createdByUserId: await creatorUserId(tx, ctx),
      createdByTokenId,
      createdAt: at,
      expiresAt,
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

/**
 * When a token mints a token: the new one may not outlive the minting token's chain, nor extend it
 * past MAX_TOKEN_CHAIN. Returns the minting token's id (the new token's creator), or null for users
 * and the system.
 */
async function assertWithinMintingToken(ctx: ServiceContext, expiresAt: Date | null, at: Date): Promise<number | null> {
  if (ctx.actor.type !== "api_token") return null;
  const id = Number(ctx.actor.id);
  const standing = Number.isSafeInteger(id) ? await tokenStandingById(ctx.db, id) : null;
  if (!standing?.rights) throw forbidden("This API token is no longer valid");
  if (standing.depth + 1 > MAX_TOKEN_CHAIN) throw forbidden(`Tokens may be minted by tokens at most ${MAX_TOKEN_CHAIN} levels deep`);
  const limit = standing.expiresAtMs;
  if (limit !== null && (expiresAt === null || expiresAt.getTime() > limit)) {
    const days = Math.floor((limit - at.getTime()) / DAY_MS);
    const hint = days >= 1 ? `set expiresInDays to at most ${days}` : "it expires in less than a day, so it cannot mint tokens";
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: [{ path: "expiresInDays", message: `a token cannot outlive the token that creates it (expires ${new Date(limit).toISOString()}): ${hint}` }],
    });
  }
  return id;
}

/** Users are recorded as creators; a token-made token records its minting token instead. */
async function creatorUserId(tx: Tx, ctx: ServiceContext): Promise<number | null> {
  if (ctx.actor.type !== "user" || !ctx.actor.id || !/^\d+$/.test(ctx.actor.id)) return null;
  const [u] = await tx.select({ id: users.id }).from(users).where(eq(users.id, Number(ctx.actor.id)));
  return u?.id ?? null;
}
