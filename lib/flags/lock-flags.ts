import { and, eq, inArray, or } from "drizzle-orm";
import type { Tx } from "../db/client";
import { flags, namespaces } from "../db/schema";
import { flagRowsForUpdate, type LockedFlag } from "./flag-state";

export type FlagRef = { namespace: string; key: string };

/** What lockFlags found for one requested (namespace, key). */
export type LockLookup = { found: LockedFlag } | { missing: "namespace" | "flag" };

export const flagRefKey = (ref: FlagRef) => `${ref.namespace}\u0000${ref.key}`;

/**
 * lockFlag for many flags: the namespaces by key (plain read, as lockFlag's subquery; cached,
 * see namespaceIds), then every flag row and its value rows FOR UPDATE in one range scan of the
 * (namespace_id, key) unique index. The scan visits flags in index order, so two batches over
 * overlapping flags lock them in the same order and queue instead of deadlocking; a single-flag
 * verb holds one flag and cannot form a cycle with them. Deleted flags count as missing.
 */
export async function lockFlags(tx: Tx, refs: FlagRef[], cacheOwner?: object): Promise<Map<string, LockLookup>> {
  if (refs.length === 0) return new Map();
  const nsKeys = [...new Set(refs.map((r) => r.namespace))];
  const cache = namespaceIds(cacheOwner ?? (tx as unknown as { dialect: object }).dialect);
  const cachedAll = nsKeys.every((k) => cache.has(k));
  const first = await lockWithIds(tx, refs, cachedAll ? cache : await loadNamespaceIds(tx, nsKeys, cache));
  if (!cachedAll || ![...first.values()].some((l) => "missing" in l)) return first;
  // A miss on cached ids may be a stale id (namespace deleted, or re-created under a new id):
  // look the keys up again and retry once before calling anything missing.
  return lockWithIds(tx, refs, await loadNamespaceIds(tx, nsKeys, cache));
}

/**
 * Namespace key -> id, per database. An id never changes while its namespace exists, so a cached
 * one can only be stale by pointing at a deleted namespace, which finds no flags; lockFlags then
 * reloads and retries, so the cache never turns into a wrong answer. It saves a statement per
 * group-commit batch.
 */
const nsIdCaches = new WeakMap<object, Map<string, number>>();
const NS_CACHE_MAX = 10_000;

/** Per database: the Db object when the caller names it, else the drizzle dialect (shared by a Db and its transactions). */
function namespaceIds(owner: object): Map<string, number> {
  let m = nsIdCaches.get(owner);
  if (!m) nsIdCaches.set(owner, (m = new Map()));
  return m;
}

async function loadNamespaceIds(tx: Tx, keys: string[], cache: Map<string, number>): Promise<Map<string, number>> {
  const rows = await tx.select({ id: namespaces.id, key: namespaces.key }).from(namespaces).where(inArray(namespaces.key, keys));
  for (const k of keys) cache.delete(k);
  for (const r of rows) cache.set(r.key, r.id);
  while (cache.size > NS_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return cache;
}

async function lockWithIds(tx: Tx, refs: FlagRef[], nsId: Map<string, number>): Promise<Map<string, LockLookup>> {
  const out = new Map<string, LockLookup>();
  const keysByNs = new Map<number, Set<string>>();
  const nsKeyById = new Map<number, string>();
  for (const ref of refs) {
    const id = nsId.get(ref.namespace);
    if (id === undefined) {
      out.set(flagRefKey(ref), { missing: "namespace" });
      continue;
    }
    nsKeyById.set(id, ref.namespace);
    (keysByNs.get(id) ?? keysByNs.set(id, new Set()).get(id)!).add(ref.key);
  }
  if (keysByNs.size === 0) return out;
  const rows = await flagRowsForUpdate(tx, or(...[...keysByNs].map(([id, keys]) => and(eq(flags.namespaceId, id), inArray(flags.key, [...keys])))));
  const byFlag = new Map<number, LockedFlag>();
  for (const r of rows) {
    let locked = byFlag.get(r.flag.id);
    if (!locked) {
      locked = { flag: r.flag, namespaceKey: nsKeyById.get(r.flag.namespaceId)!, values: [] };
      byFlag.set(r.flag.id, locked);
    }
    // Environments are never deleted, so a value row always has its environment.
    if (r.row && r.envKey !== null) locked.values.push({ env: { id: r.row.environmentId, key: r.envKey }, row: r.row });
  }
  for (const locked of byFlag.values()) {
    locked.values.sort((a, b) => a.env.id - b.env.id);
    if (!locked.flag.deletedAt) out.set(flagRefKey({ namespace: locked.namespaceKey, key: locked.flag.key }), { found: locked });
  }
  for (const ref of refs) if (!out.has(flagRefKey(ref))) out.set(flagRefKey(ref), { missing: "flag" });
  return out;
}
