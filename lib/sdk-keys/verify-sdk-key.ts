import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { sdkKeys } from "../db/schema";
import { isDatabaseUnavailable } from "../errors/http";
import { metrics } from "../observability/metrics";
import { TokenBuckets, type BucketSpec } from "../delivery/stream/rate-limit";
import { selectSdkKeys } from "./key-access";
import { hashSdkKey, looksLikeSdkKey } from "./key-material";

/** What a verified SDK key may read. */
export interface SdkPrincipal {
  keyId: number;
  name: string;
  prefix: string;
  environment: string;
  /** null = every namespace of the environment. */
  namespaces: string[] | null;
  /** server: full flag data; client: OFREP evaluations and change notifications only. */
  kind: "server" | "client";
  /** Origins CORS allows for this key (client keys only; empty = none). */
  allowedOrigins: readonly string[];
}

export type SdkKeyVerification =
  | { status: "ok"; principal: SdkPrincipal }
  | { status: "unknown" }
  | { status: "revoked"; keyId: number }
  /** Too many lookups of keys never seen valid here: try again after `retryAfterMs`. */
  | { status: "busy"; retryAfterMs: number };

/**
 * Verification results are cached for a second per database handle, and concurrent lookups of the
 * same key share one query: a reconnect storm of thousands of SDKs (or a flood of one bad key)
 * costs one query per key, not one per connection. The cache never makes a revocation slower than
 * a second, and open streams are closed by the stream servers' own revocation check, not by this
 * cache. Unknown keys are remembered in a cache of their own, so a flood of made-up keys (from
 * many addresses, past the per-address limit) only evicts other made-up keys, never real ones.
 */
const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;
/**
 * A valid key in use is looked up again in the background this long before its entry expires, so
 * its requests never wait on MySQL (under load, every request of a busy key stalled on that
 * lookup once a second). The answer served is still never older than TTL_MS: if the refresh has
 * not answered by expiry, requests wait for it as before.
 */
const REFRESH_AHEAD_MS = 250;

interface Entry {
  result: SdkKeyVerification;
  expires: number;
}

/**
 * While MySQL is unreachable, a key that verified successfully within this window is still
 * accepted, so SDKs keep (re)connecting and serving from etcd through a database outage. A key
 * revoked during the outage is refused again once the database answers.
 */
const OUTAGE_GRACE_MS = 6 * 3600_000;
const lastGood = new WeakMap<Db, Map<string, Entry>>();

const caches = new WeakMap<Db, Map<string, Entry>>();
const unknownCaches = new WeakMap<Db, Map<string, Entry>>();
const inFlight = new WeakMap<Db, Map<string, Promise<SdkKeyVerification>>>();

function mapFor(maps: WeakMap<Db, Map<string, Entry>>, db: Db): Map<string, Entry> {
  let c = maps.get(db);
  if (!c) maps.set(db, (c = new Map()));
  return c;
}

/** Entries held for a database handle: known keys (valid or revoked) and unknown ones. */
export function sdkKeyCacheSizes(db: Db): { known: number; unknown: number } {
  return { known: caches.get(db)?.size ?? 0, unknown: unknownCaches.get(db)?.size ?? 0 };
}

/**
 * Lookups of keys not verified valid here recently (made-up keys, or keys new to this process)
 * share one budget per process: a flood of distinct made-up keys from many addresses, each passing
 * the per-address limits, costs MySQL at most this many queries per second. Keys that verified
 * valid within OUTAGE_GRACE_MS never wait for it, so live SDKs reconnect during such a flood; a key
 * new to the process may be told to retry in a second.
 */
export const DEFAULT_LOOKUP_BUDGET: BucketSpec = { burst: 1_000, perSecond: 200 };
const budgets = new WeakMap<Db, TokenBuckets>();
// One bucket ("lookups") per handle; TokenBuckets evicts at its id cap, so the cap must exceed 1.
const BUDGET_IDS = 2;

/** Sets the lookup budget for a database handle (tests; operators keep the default). */
export function setSdkKeyLookupBudget(db: Db, spec: BucketSpec): void {
  budgets.set(db, new TokenBuckets(spec, BUDGET_IDS));
}

/**
 * What this process knows about a key without asking MySQL: "valid" when it verified valid here
 * recently (cached, or within OUTAGE_GRACE_MS and not revoked since), "pending" while a lookup of it
 * is in flight, else "unverified" (never seen, or cached unknown or revoked). The stream servers'
 * failed-authentication limit per address exempts valid keys, so a fleet behind one NAT address
 * keeps connecting however much other clients at that address fail.
 */
export type SdkKeyStanding = "valid" | "pending" | "unverified";

/**
 * SHA-256 of the keys presented recently, so a request hashes its key at most once (the standing
 * check and the verification share it) and a live key is not hashed again for every request.
 * Verdicts stay keyed by hash with their own TTLs below, so this changes no revocation bound. It
 * holds raw keys, as every request in flight does; bounded, oldest out first. Null: not key-shaped.
 */
const HASH_MEMO_MAX = 1_000;
const hashes = new Map<string, string>();

function hashOf(key: string): string | null {
  let hash = hashes.get(key);
  if (hash !== undefined) return hash;
  if (!looksLikeSdkKey(key)) return null;
  hash = hashSdkKey(key);
  if (hashes.size >= HASH_MEMO_MAX) hashes.delete(hashes.keys().next().value as string);
  hashes.set(key, hash);
  return hash;
}

export function sdkKeyStanding(db: Db, key: string): SdkKeyStanding {
  const hash = hashOf(key);
  if (hash === null) return "unverified";
  const cached = caches.get(db)?.get(hash);
  if (cached && cached.expires > Date.now()) return cached.result.status === "ok" ? "valid" : "unverified";
  if (lastGood.get(db)?.has(hash)) return "valid";
  return inFlight.get(db)?.has(hash) ? "pending" : "unverified";
}

export async function verifySdkKey(db: Db, key: string): Promise<SdkKeyVerification> {
  const hash = hashOf(key);
  if (hash === null) return { status: "unknown" };
  const now = Date.now();
  const hit = caches.get(db)?.get(hash) ?? unknownCaches.get(db)?.get(hash);
  const flights = inFlight.get(db) ?? new Map<string, Promise<SdkKeyVerification>>();
  inFlight.set(db, flights);
  if (hit && hit.expires > now) {
    if (hit.result.status === "ok" && hit.expires - now < REFRESH_AHEAD_MS && !flights.has(hash)) {
      const refresh = lookUp(db, hash).finally(() => flights.delete(hash));
      // A failed refresh changes nothing: the entry expires and the next request looks up as usual.
      refresh.catch(() => {});
      flights.set(hash, refresh);
    }
    return hit.result;
  }
  const pending = flights.get(hash);
  if (pending) return pending;
  if (!lastGood.get(db)?.has(hash)) {
    let budget = budgets.get(db);
    if (!budget) budgets.set(db, (budget = new TokenBuckets(DEFAULT_LOOKUP_BUDGET, BUDGET_IDS)));
    const wait = budget.take("lookups", now);
    if (wait) return { status: "busy", retryAfterMs: wait };
  }
  const lookup = lookUp(db, hash).finally(() => flights.delete(hash));
  flights.set(hash, lookup);
  return lookup;
}

async function lookUp(db: Db, hash: string): Promise<SdkKeyVerification> {
  let good = lastGood.get(db);
  if (!good) lastGood.set(db, (good = new Map()));
  let result: SdkKeyVerification;
  try {
    result = await query(db, hash);
    metrics.sdkKeyLookups.inc({ result: result.status });
  } catch (err) {
    metrics.sdkKeyLookups.inc({ result: "error" });
    const known = good.get(hash);
    if (isDatabaseUnavailable(err) && known && known.expires > Date.now()) return known.result;
    throw err;
  }
  // A key is in one cache at a time (a key created after a miss moves over on its next lookup).
  const [into, other] = result.status === "unknown" ? [unknownCaches, caches] : [caches, unknownCaches];
  other.get(db)?.delete(hash);
  remember(mapFor(into, db), hash, { result, expires: Date.now() + TTL_MS });
  if (result.status === "ok") remember(good, hash, { result, expires: Date.now() + OUTAGE_GRACE_MS });
  else good.delete(hash);
  return result;
}

function remember(map: Map<string, Entry>, hash: string, entry: Entry): void {
  map.delete(hash);
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(hash, entry);
}

async function query(db: Db, hash: string): Promise<SdkKeyVerification> {
  const [row] = await selectSdkKeys(db).where(eq(sdkKeys.keyHash, hash));
  if (!row) return { status: "unknown" };
  if (row.revokedAt) return { status: "revoked", keyId: row.id };
  const namespaces = (row.namespaceKeys as string[] | null) ?? null;
  const allowedOrigins = row.kind === "client" ? ((row.allowedOrigins as string[] | null) ?? []) : [];
  return {
    status: "ok",
    principal: { keyId: row.id, name: row.name, prefix: row.prefix, environment: row.environment, namespaces, kind: row.kind, allowedOrigins },
  };
}

/** Drops cached results of one key (called on revoke, and by the stream servers' revocation check). */
export function forgetCachedSdkKey(db: Db, keyId: number): void {
  for (const cache of [caches.get(db), lastGood.get(db)]) {
    if (!cache) continue;
    for (const [hash, e] of cache) {
      const id = e.result.status === "ok" ? e.result.principal.keyId : e.result.status === "revoked" ? e.result.keyId : null;
      if (id === keyId) cache.delete(hash);
    }
  }
}
