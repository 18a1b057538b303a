/**
 * The SDK clients that reported their applied revision to this process (POST /api/sdk/v1/report),
 * kept in memory and summarised for etcd by presence-publisher.ts.
 *
 * - An entry lives `ttlMs` (25 s) after its last report: SDKs report at least every 10 s, so a
 *   client that missed two heartbeats (a killed process, a dropped network) is gone within 25 s.
 * - At most `maxEntriesPerKey` (25,000) entries per SDK key and `maxEntries` (100,000) in all. A
 *   browser key is public, so anyone can invent client ids under it: the per-key cap makes a new
 *   client of a full key replace that key's longest-silent client, and a full table takes room from
 *   the key holding the most entries, never from a smaller key. Per key, map order is report order
 *   (an entry is re-inserted on every report), so the expiry sweep and the eviction start at the
 *   front and stop at the first live entry.
 * - Entries are keyed by SDK key id and client id: a client id only names a client within its key,
 *   so a holder of one key cannot overwrite another key's clients.
 */
export const CLIENT_STATES = ["connecting", "ready", "stale", "error", "closed"] as const;
export type ReportedState = (typeof CLIENT_STATES)[number];

export interface PresenceEntry {
  environment: string;
  /** The SDK key's namespaces, sorted and joined by "," (`*` for every namespace): see scopeGroupKey. */
  scope: string;
  revision: number;
  state: ReportedState;
  lastSeen: number;
}

/**
 * What one process publishes: environment -> scope group -> [revision, clients at it], highest
 * revision first. Namespace keys match KEY_PATTERN, so they never contain "," or "*".
 */
export type PresenceGroups = Record<string, Record<string, [number, number][]>>;

export interface PresenceSummary {
  clients: number;
  envs: PresenceGroups;
}

export const ALL_NAMESPACES = "*";

export function scopeGroupKey(namespaces: readonly string[] | null): string {
  return namespaces === null ? ALL_NAMESPACES : [...new Set(namespaces)].sort().join(",");
}

export function scopeGroupNamespaces(key: string): string[] | null {
  return key === ALL_NAMESPACES ? null : key === "" ? [] : key.split(",");
}

/**
 * Distinct revisions kept per scope group in a summary. Clients below the kept ones are counted at
 * the lowest revision among them, which can only under-count "clients at revision >= R" (never
 * claim a client has a change it may lack), and keeps an etcd value small whatever the churn.
 */
export const MAX_REVISIONS_PER_GROUP = 64;

/**
 * One SDK key's clients in report order, with its oldest entry found in amortised O(1). A fresh
 * Map iterator steps over every deleted slot at the front (V8 keeps them until it rehashes), so
 * evicting or sweeping from the front with a new iterator each time turns quadratic under a flood;
 * this keeps one iterator, which every deleted entry behind it has already passed.
 */
class KeyClients {
  readonly map = new Map<string, PresenceEntry>();
  private iter: Iterator<[string, PresenceEntry]> | null = null;
  private head: [string, PresenceEntry] | null = null;

  get size(): number {
    return this.map.size;
  }

  oldest(): [string, PresenceEntry] | null {
    let restarted = false;
    while (!this.head || this.map.get(this.head[0]) !== this.head[1]) {
      this.iter ??= this.map.entries();
      const next = this.iter.next();
      if (!next.done) {
        this.head = next.value;
        continue;
      }
      // A finished iterator never sees later entries: start again (everything before is deleted).
      this.iter = null;
      this.head = null;
      if (restarted || !this.map.size) return null;
      restarted = true;
    }
    return this.head;
  }
}

/** Default share of the table one SDK key may hold: at least four keys fill it. */
export const DEFAULT_MAX_ENTRIES_PER_KEY = 25_000;

export class PresenceTable {
  /** SDK key id -> its clients, in report order (an entry is re-inserted on every report). */
  private readonly byKey = new Map<number, KeyClients>();
  private count = 0;
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxEntriesPerKey: number;

  constructor(opts: { ttlMs?: number; maxEntries?: number; maxEntriesPerKey?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 25_000;
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.maxEntriesPerKey = Math.min(opts.maxEntriesPerKey ?? DEFAULT_MAX_ENTRIES_PER_KEY, this.maxEntries);
  }

  get size(): number {
    return this.count;
  }

  get(keyId: number, clientId: string): PresenceEntry | undefined {
    return this.byKey.get(keyId)?.map.get(clientId);
  }

  /** Entries of one SDK key. */
  sizeOf(keyId: number): number {
    return this.byKey.get(keyId)?.size ?? 0;
  }

  /** Every live entry, oldest report first (for health output and tests). */
  list(): PresenceEntry[] {
    return [...this.byKey.values()].flatMap((c) => [...c.map.values()]).sort((a, b) => a.lastSeen - b.lastSeen);
  }

  /**
   * Records a report; a `closed` client is dropped at once rather than left to expire. A key at its
   * own cap replaces its longest-silent client; a full table takes room from the key holding the
   * most entries, so one key's flood of client ids never evicts a smaller key's clients.
   */
  record(keyId: number, clientId: string, entry: PresenceEntry): void {
    let clients = this.byKey.get(keyId);
    if (clients?.map.delete(clientId)) this.count--;
    if (entry.state === "closed") {
      if (clients && !clients.size) this.byKey.delete(keyId);
      return;
    }
    if (!clients) this.byKey.set(keyId, (clients = new KeyClients()));
    this.sweepKey(keyId, clients, entry.lastSeen);
    while (clients.size >= this.maxEntriesPerKey) this.evictOldest(keyId, clients);
    if (this.count >= this.maxEntries) this.sweep(entry.lastSeen);
    while (this.count >= this.maxEntries) this.evictOldest(...this.largestKey());
    // The sweep or an eviction may have dropped this key's emptied map.
    if (!this.byKey.has(keyId)) this.byKey.set(keyId, clients);
    clients.map.set(clientId, entry);
    this.count++;
  }

  /** Drops entries not heard from for `ttlMs`. */
  sweep(now = Date.now()): void {
    for (const [keyId, clients] of this.byKey) this.sweepKey(keyId, clients, now);
  }

  private sweepKey(keyId: number, clients: KeyClients, now: number): void {
    for (let o = clients.oldest(); o && now - o[1].lastSeen >= this.ttlMs; o = clients.oldest()) {
      clients.map.delete(o[0]);
      this.count--;
    }
    if (!clients.size) this.byKey.delete(keyId);
  }

  private evictOldest(keyId: number, clients: KeyClients): void {
    const o = clients.oldest();
    if (o) {
      clients.map.delete(o[0]);
      this.count--;
    }
    if (!clients.size) this.byKey.delete(keyId);
  }

  private largestKey(): [number, KeyClients] {
    let best: [number, KeyClients] | null = null;
    for (const kv of this.byKey) if (!best || kv[1].size > best[1].size) best = kv;
    return best!;
  }

  summary(now = Date.now()): PresenceSummary {
    this.sweep(now);
    const counts = new Map<string, Map<string, Map<number, number>>>();
    for (const clients of this.byKey.values()) {
      for (const e of clients.map.values()) {
        let env = counts.get(e.environment);
        if (!env) counts.set(e.environment, (env = new Map()));
        let group = env.get(e.scope);
        if (!group) env.set(e.scope, (group = new Map()));
        group.set(e.revision, (group.get(e.revision) ?? 0) + 1);
      }
    }
    const envs: PresenceGroups = {};
    // Sorted, so the same clients always give the same JSON (the publisher writes only changes).
    for (const envName of [...counts.keys()].sort()) {
      const out: Record<string, [number, number][]> = {};
      const env = counts.get(envName)!;
      for (const scope of [...env.keys()].sort()) out[scope] = compactRevisions(env.get(scope)!);
      envs[envName] = out;
    }
    return { clients: this.count, envs };
  }
}

/** [revision, count] pairs, highest first, folded to MAX_REVISIONS_PER_GROUP (see above). */
export function compactRevisions(counts: ReadonlyMap<number, number>): [number, number][] {
  const pairs = [...counts].sort((a, b) => b[0] - a[0]);
  if (pairs.length <= MAX_REVISIONS_PER_GROUP) return pairs;
  const kept = pairs.slice(0, MAX_REVISIONS_PER_GROUP - 1);
  const rest = pairs.slice(MAX_REVISIONS_PER_GROUP - 1);
  kept.push([rest[rest.length - 1]![0], rest.reduce((n, [, c]) => n + c, 0)]);
  return kept;
}
