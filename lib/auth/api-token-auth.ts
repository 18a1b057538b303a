import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiTokens } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { hashApiToken, looksLikeApiToken } from "../services/api-tokens/token-secret";
import type { Actor } from "./actor";

/**
 * Verifies admin API tokens. Lookups are by SHA-256 hash and cached in-process for CACHE_TTL_MS so
 * automation hammering the API does not cost a query per request. The cache bounds how long a
 * revocation takes to bite in *other* processes (this process forgets a revoked token at once);
 * expiry is checked on every request against the cached expiry time, so it is exact.
 */
export const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 1_000;
const TOUCH_EVERY_MS = 60_000;

type TokenRow = Pick<
  typeof apiTokens.$inferSelect,
  "id" | "name" | "role" | "isSuperAdmin" | "namespaceKeys" | "expiresAt" | "revokedAt" | "lastUsedAt"
>;
interface CacheEntry {
  row: TokenRow;
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
  const row = await lookup(db, hash, now);
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) throw invalidToken();
  touch(db, row, now);
  const namespaces = row.namespaceKeys ?? null;
  return {
    type: "api_token",
    id: String(row.id),
    name: `token:${row.name}`,
    isSuperAdmin: row.isSuperAdmin,
    grants:
      namespaces === null
        ? [{ namespaceKey: null, role: row.role, environmentKeys: null }]
        : namespaces.map((ns) => ({ namespaceKey: ns, role: row.role, environmentKeys: null })),
  };
}

async function lookup(db: Db, hash: string, now: number): Promise<TokenRow | null> {
  const hit = cache.get(hash);
  if (hit && now - hit.fetchedAt < CACHE_TTL_MS) {
    // Re-insert to keep Map order = least recently used first.
    cache.delete(hash);
    cache.set(hash, hit);
    return hit.row;
  }
  const [row] = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      isSuperAdmin: apiTokens.isSuperAdmin,
      namespaceKeys: apiTokens.namespaceKeys,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hash));
  // Unknown tokens are not cached: a flood of guesses must not evict the real ones.
  if (!row) {
    cache.delete(hash);
    return null;
  }
  cache.delete(hash);
  cache.set(hash, { row, fetchedAt: now });
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return row;
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

/** Drops a token from this process's cache (called after revocation). */
export function forgetApiToken(hash: string): void {
  cache.delete(hash);
}

/** For tests: empties the cache. */
export function clearApiTokenCache(): void {
  cache.clear();
}
