/**
 * The SDK clients that reported their applied revision to this process (POST /api/sdk/v1/report),
 * kept in memory and summarised for etcd by presence-publisher.ts.
 *
 * - An entry lives `ttlMs` (90 s) after its last report: SDKs report at least every 30 s, so a
 *   client that missed two heartbeats is gone.
 * - At most `maxEntries` (100,000) entries; a report beyond that evicts the entry heard from longest
 *   ago. Map order is report order (an entry is re-inserted on every report), so both the expiry
 *   sweep and the eviction start at the front and stop at the first live entry.
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

export class PresenceTable {
  private readonly entries = new Map<string, PresenceEntry>();
  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(opts: { ttlMs?: number; maxEntries?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 90_000;
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(keyId: number, clientId: string): PresenceEntry | undefined {
    return this.entries.get(`${keyId}:${clientId}`);
  }

  /** Every live entry, oldest report first (for health output and tests). */
  list(): PresenceEntry[] {
    return [...this.entries.values()];
  }

  /** Records a report; a `closed` client is dropped at once rather than left to expire. */
  record(keyId: number, clientId: string, entry: PresenceEntry): void {
    const id = `${keyId}:${clientId}`;
    this.entries.delete(id);
    if (entry.state === "closed") return;
    this.sweep(entry.lastSeen);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, entry);
  }

  /** Drops entries not heard from for `ttlMs`. */
  sweep(now = Date.now()): void {
    for (const [id, e] of this.entries) {
      if (now - e.lastSeen < this.ttlMs) break;
      this.entries.delete(id);
    }
  }

  summary(now = Date.now()): PresenceSummary {
    this.sweep(now);
    const counts = new Map<string, Map<string, Map<number, number>>>();
    for (const e of this.entries.values()) {
      let env = counts.get(e.environment);
      if (!env) counts.set(e.environment, (env = new Map()));
      let group = env.get(e.scope);
      if (!group) env.set(e.scope, (group = new Map()));
      group.set(e.revision, (group.get(e.revision) ?? 0) + 1);
    }
    const envs: PresenceGroups = {};
    // Sorted, so the same clients always give the same JSON (the publisher writes only changes).
    for (const envName of [...counts.keys()].sort()) {
      const out: Record<string, [number, number][]> = {};
      const env = counts.get(envName)!;
      for (const scope of [...env.keys()].sort()) out[scope] = compactRevisions(env.get(scope)!);
      envs[envName] = out;
    }
    return { clients: this.entries.size, envs };
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
