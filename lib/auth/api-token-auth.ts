import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiTokens } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { hashApiToken, looksLikeApiToken } from "../api-tokens/token-secret";
import type { Actor } from "./actor";
import { loadUserActor } from "./session-actor";
import { boundedRights, ownRights, type Rights } from "./token-rights";

/**
 * Verifies admin API tokens. Lookups are by SHA-256 hash and cached in-process for CACHE_TTL_MS so
 * automation hammering the API does not cost queries per request. A token acts with at most its
 * creator's current rights (token-rights.ts): the user who made it (refused once that account is
 * disabled), or the token that made it, itself bounded the same way up the chain. The cache bounds
 * how long a revocation or a creator's lost role takes to bite in *other* processes (this process
 * forgets at once, see clearApiTokenCache); expiry, the earliest along the chain, is checked
 * on every request against the cached time, so it is exact.
 */
export const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 1_000;
const TOUCH_EVERY_MS = 60_000;
/** Tokens may mint tokens this many levels deep; deeper chains are refused (and never minted). */
export const MAX_TOKEN_CHAIN = 8;

type TokenRow = Pick<
  typeof apiTokens.$inferSelect,
  "id" | "name" | "role" | "isSuperAdmin" | "namespaceKeys" | "expiresAt" | "revokedAt" | "lastUsedAt" | "createdByUserId" | "createdByTokenId"
>;

/** A token resolved along its creator chain: its rights now, or null when something on the way refuses it. */
export interface TokenStanding {
  rights: Rights | null;
  /** The earliest expiry along the chain (epoch ms), null when nothing on it expires. */
  expiresAtMs: number | null;
  /** 0 for a token a user or the system made, 1 for one a token made, and so on. */
  depth: number;
}

interface CacheEntry {
  row: TokenRow;
  standing: TokenStanding;
  fetchedAt: number;
}

// On globalThis so every module copy Next.js may create shares one cache (and one invalidation).
const g = globalThis as unknown as { mizuflowApiTokenCache?: Map<string, CacheEntry> };
const cache = (g.mizuflowApiTokenCache ??= new Map());

export const invalidToken = (message = "The API token is invalid, expired or revoked") =>
  new ServiceError("unauthenticated", message, { details: { reason: "invalid_token" } });

/** Resolves a presented token to its actor, or throws 401. */
export async function authenticateApiToken(db: Db, token: string, now = Date.now()): Promise<Actor> {
  if (!looksLikeApiToken(token)) throw invalidToken();
  const hash = hashApiToken(token);
  const entry = await lookup(db, hash, now);
  if (!entry) throw invalidToken();
  const { row, standing } = entry;
  if (!standing.rights || (standing.expiresAtMs !== null && standing.expiresAtMs <= now)) throw invalidToken();
  touch(db, row, now);
  return { type: "api_token", id: String(row.id), name: `token:${row.name}`, ...standing.rights };
}

const tokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  isSuperAdmin: apiTokens.isSuperAdmin,
  namespaceKeys: apiTokens.namespaceKeys,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
  lastUsedAt: apiTokens.lastUsedAt,
  createdByUserId: apiTokens.createdByUserId,
  createdByTokenId: apiTokens.createdByTokenId,
};

/**
 * Walks from a token up to the user (or system) at the root of its creator chain. Uncached: token
 * creation uses it to bound a new token by its minting token's standing at that moment.
 */
export async function tokenStanding(db: Db, row: TokenRow, walked = 0): Promise<TokenStanding> {
  const own = row.expiresAt ? row.expiresAt.getTime() : null;
  const refused: TokenStanding = { rights: null, expiresAtMs: own, depth: 0 };
  // `walked` guards the walk itself, so a cycle written by hand cannot loop.
  if (row.revokedAt || walked > MAX_TOKEN_CHAIN) return refused;
  const scope = { role: row.role, isSuperAdmin: row.isSuperAdmin, namespaceKeys: row.namespaceKeys ?? null };
  if (row.createdByTokenId !== null) {
    const [parent] = await db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.id, row.createdByTokenId));
    if (!parent) return refused;
    const up = await tokenStanding(db, parent, walked + 1);
    const expiresAtMs = own === null ? up.expiresAtMs : up.expiresAtMs === null ? own : Math.min(own, up.expiresAtMs);
    return { rights: up.rights && boundedRights(scope, up.rights), expiresAtMs, depth: up.depth + 1 };
  }
  if (row.createdByUserId !== null) {
    const creator = await loadUserActor(db, row.createdByUserId);
    return { rights: creator && boundedRights(scope, creator), expiresAtMs: own, depth: 0 };
  }
  return { rights: ownRights(scope), expiresAtMs: own, depth: 0 };
}

/** The standing of a token by id (for a token that is minting another). */
export async function tokenStandingById(db: Db, id: number): Promise<TokenStanding | null> {
  const [row] = await db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.id, id));
  return row ? tokenStanding(db, row) : null;
}

async function lookup(db: Db, hash: string, now: number): Promise<CacheEntry | null> {
  const hit = cache.get(hash);
  if (hit && now - hit.fetchedAt < CACHE_TTL_MS) {
    // Re-insert to keep Map order = least recently used first.
    cache.delete(hash);
    cache.set(hash, hit);
    return hit;
  }
  const [row] = await db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.tokenHash, hash));
  // Unknown tokens are not cached: a flood of guesses must not evict the real ones.
  if (!row) {
    cache.delete(hash);
    return null;
  }
  const entry = { row, standing: await tokenStanding(db, row), fetchedAt: now };
  cache.delete(hash);
  cache.set(hash, entry);
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return entry;
}

/**
 * Records last use at most once a minute per token: the cached row remembers the touch, and the
 * UPDATE's own condition stops several processes from writing it more often than that.
 */
function touch(db: Db, row: TokenRow, now: number): void {
  if (row.lastUsedAt && now - row.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
  const at = new Date(now);
  row.lastUsedAt = at;
  void db
    .update(apiTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now - TOUCH_EVERY_MS)))))
    .catch(() => {
      // Bookkeeping only; never fail a request over it.
    });
}

/**
 * Empties the cache: after a revocation (tokens the revoked one minted must stop too), and after a
 * user's account, roles or password change (their tokens' rights follow at once in this process).
 */
export function clearApiTokenCache(): void {
  cache.clear();
}
