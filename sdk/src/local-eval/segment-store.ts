import type { SegmentEntry } from "./wire";

const id = (namespace: string, key: string) => `${namespace}/${key}`;
const EMPTY: ReadonlyMap<string, SegmentEntry> = new Map();

const sameSegment = (a: SegmentEntry, b: SegmentEntry) =>
  a.version === b.version && a.name === b.name && JSON.stringify(a.constraints) === JSON.stringify(b.constraints);

export interface SegmentApply {
  /** `namespace/key` of every segment whose content changed (added, changed, removed). */
  changed: string[];
  regressions: string[];
}

/**
 * The namespaces' segments with the per-key rules flags follow (flag-store.ts): a version never
 * goes backwards, a delete leaves a tombstone, a snapshot replaces the set. Each namespace's map
 * is replaced (never mutated) when one of its segments changes, so a compiled form cached against
 * the map's identity (local-evaluator.ts) is stale exactly when the map is.
 */
export class SegmentStore {
  private byNamespace = new Map<string, ReadonlyMap<string, SegmentEntry>>();
  private tombstones = new Map<string, number>();

  of(namespace: string): ReadonlyMap<string, SegmentEntry> {
    return this.byNamespace.get(namespace) ?? EMPTY;
  }

  all(): SegmentEntry[] {
    return [...this.byNamespace.values()].flatMap((m) => [...m.values()]);
  }

  replace(incoming: readonly SegmentEntry[]): SegmentApply {
    const next = new Map<string, Map<string, SegmentEntry>>();
    const changed: string[] = [];
    const regressions: string[] = [];
    const keep = (s: SegmentEntry) => {
      let m = next.get(s.namespace);
      if (!m) next.set(s.namespace, (m = new Map()));
      m.set(s.key, s);
    };
    for (const s of incoming) {
      const k = id(s.namespace, s.key);
      const current = this.of(s.namespace).get(s.key);
      const deletedAt = this.tombstones.get(k);
      if (current && current.version > s.version) {
        regressions.push(k);
        keep(current);
      } else if (!current && deletedAt !== undefined && deletedAt >= s.version) {
        regressions.push(k);
      } else {
        keep(s);
        this.tombstones.delete(k);
        if (!current || !sameSegment(current, s)) changed.push(k);
      }
    }
    for (const [ns, m] of this.byNamespace) {
      for (const key of m.keys()) if (!next.get(ns)?.has(key)) changed.push(id(ns, key));
    }
    const changedNs = new Set(changed.map((k) => k.slice(0, k.indexOf("/"))));
    const result = new Map<string, ReadonlyMap<string, SegmentEntry>>();
    // Namespaces without a change keep their map (and so their compiled segments).
    for (const [ns, m] of next) result.set(ns, changedNs.has(ns) ? m : (this.byNamespace.get(ns) ?? m));
    this.byNamespace = result;
    return { changed, regressions };
  }

  put(s: SegmentEntry): SegmentApply {
    const k = id(s.namespace, s.key);
    const current = this.of(s.namespace).get(s.key);
    const deletedAt = this.tombstones.get(k);
    if ((current && current.version > s.version) || (!current && deletedAt !== undefined && deletedAt >= s.version)) {
      return { changed: [], regressions: [k] };
    }
    this.tombstones.delete(k);
    if (current && sameSegment(current, s)) return { changed: [], regressions: [] };
    this.byNamespace.set(s.namespace, new Map(this.of(s.namespace)).set(s.key, s));
    return { changed: [k], regressions: [] };
  }

  remove(namespace: string, key: string, version: number): SegmentApply {
    const k = id(namespace, key);
    const current = this.of(namespace).get(key);
    if (current && current.version > version) return { changed: [], regressions: [k] };
    this.tombstones.set(k, Math.max(version, this.tombstones.get(k) ?? 0));
    if (!current) return { changed: [], regressions: [] };
    const m = new Map(this.of(namespace));
    m.delete(key);
    this.byNamespace.set(namespace, m);
    return { changed: [k], regressions: [] };
  }
}
