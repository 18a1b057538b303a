import { SegmentStore, type SegmentApply } from "./local-eval/segment-store";
import { prerequisiteRefs, segmentRefs } from "./local-eval/wire";
import type { DeletePayload, PutPayload, SegmentPayload, SnapshotPayload } from "./protocol";
import type { FlagChange, FlagEntry, JsonValue, UpdateSource } from "./types";

export interface ApplyResult {
  /** False when the event was skipped as a whole (its revision was already applied). */
  applied: boolean;
  changes: FlagChange[];
  /** Keys whose incoming version was older than the one held (kept the newer one). */
  regressions: string[];
}

const id = (namespace: string, key: string) => `${namespace}/${key}`;
const sameValue = (a: JsonValue, b: JsonValue) => a === b || JSON.stringify(a) === JSON.stringify(b);
const sameTargeting = (a: FlagEntry, b: FlagEntry) => a.targeting === b.targeting || JSON.stringify(a.targeting) === JSON.stringify(b.targeting);

/**
 * The SDK's in-memory flag state and the rules that keep it consistent (pure: no I/O, no timers):
 *
 * 1. `put`/`delete` apply in revision order: an event whose revision is below the applied revision
 *    was already seen (a replay after reconnect) and is skipped. An event AT the applied revision
 *    still goes through rule 2: one etcd transaction that touches several keys gives their events
 *    the same id, and dropping the second one would be a silent gap; a true duplicate is a no-op.
 * 2. Per key the version never goes backwards: an older version is ignored even in a snapshot, and
 *    a delete leaves a tombstone so a late older put cannot bring the key back.
 * 3. A `snapshot` replaces the state: keys it lacks are removed, and its revision becomes the
 *    applied revision even when lower (a re-snapshotted hub), rule 2 still guarding each key.
 * 4. The same version with another value is accepted: the reconciler may restate a value at the
 *    same version, and the server is the authority for it.
 * 5. Segments (`segment`/`segment-delete`, `snapshot.segments`) follow rules 1-3 per segment key
 *    (local-eval/segment-store.ts); a segment change reports a change of every flag whose rules
 *    name it, since what those flags give a context may differ.
 * 6. Likewise a change of a flag reports a change of every flag that names it as a prerequisite,
 *    transitively (`withDependents`): subscribers to a dependent flag (the React hooks, the
 *    OpenFeature providers' change events) learn that its answer may have moved.
 */
export class FlagStore {
  private flags = new Map<string, FlagEntry>();
  /**
   * The same entries by namespace then key, for `get`: a getter's lookup hashes the caller's two
   * strings (V8 caches a string's hash, so literals cost nothing after the first call) instead of
   * building and hashing a fresh `ns/key` on every evaluation.
   */
  private byNamespace = new Map<string, Map<string, FlagEntry>>();
  /** The namespace `get` read last and its map: an application mostly reads one namespace. */
  private lastNamespace: string | undefined;
  private lastKeys: Map<string, FlagEntry> | undefined;
  private tombstones = new Map<string, number>();
  readonly segments = new SegmentStore();
  revision = 0;
  environment: string | null = null;
  /** True once any snapshot (live or local) has been applied. */
  hasData = false;

  get(namespace: string, key: string): FlagEntry | undefined {
    if (namespace === this.lastNamespace) return this.lastKeys!.get(key);
    const keys = this.byNamespace.get(namespace);
    if (!keys) return undefined;
    this.lastNamespace = namespace;
    this.lastKeys = keys;
    return keys.get(key);
  }

  all(): FlagEntry[] {
    return [...this.flags.values()];
  }

  applySnapshot(s: SnapshotPayload, source: UpdateSource = "snapshot"): ApplyResult {
    const next = new Map<string, FlagEntry>();
    const changes: FlagChange[] = [];
    const regressions: string[] = [];
    for (const incoming of s.flags) {
      const k = id(incoming.namespace, incoming.key);
      const current = this.flags.get(k);
      const deletedAt = this.tombstones.get(k);
      if (current && current.version > incoming.version) {
        regressions.push(k);
        next.set(k, current);
        continue;
      }
      if (!current && deletedAt !== undefined && deletedAt >= incoming.version) {
        regressions.push(k);
        continue;
      }
      next.set(k, { ...incoming });
      if (deletedAt !== undefined) this.tombstones.delete(k);
      const change = diff(current, incoming, s.revision, source);
      if (change) changes.push(change);
    }
    for (const [k, old] of this.flags) {
      if (!next.has(k)) changes.push(removal(old, s.revision, source));
    }
    this.flags = next;
    this.byNamespace = new Map();
    this.lastNamespace = this.lastKeys = undefined;
    for (const entry of next.values()) this.index(entry);
    const seg = this.segments.replace(s.segments ?? []);
    regressions.push(...seg.regressions.map((k) => `segment ${k}`));
    changes.push(...this.segmentChanges(seg, s.revision, source, new Set(changes.map((c) => id(c.namespace, c.key)))));
    this.revision = s.revision;
    if (s.environment !== null) this.environment = s.environment;
    this.hasData = true;
    return { applied: true, changes: this.withDependents(changes), regressions };
  }

  applyPut(p: PutPayload): ApplyResult {
    if (p.revision < this.revision) return { applied: false, changes: [], regressions: [] };
    this.revision = p.revision;
    const k = id(p.namespace, p.key);
    const current = this.flags.get(k);
    const deletedAt = this.tombstones.get(k);
    if ((current && current.version > p.version) || (!current && deletedAt !== undefined && deletedAt >= p.version)) {
      return { applied: true, changes: [], regressions: [k] };
    }
    const entry: FlagEntry = { namespace: p.namespace, key: p.key, type: p.type, value: p.value, version: p.version };
    if (p.targeting !== undefined) entry.targeting = p.targeting;
    this.flags.set(k, entry);
    this.index(entry);
    this.tombstones.delete(k);
    const change = diff(current, entry, p.revision, "put");
    return { applied: true, changes: change ? [change] : [], regressions: [] };
  }

  applyDelete(d: DeletePayload): ApplyResult {
    if (d.revision < this.revision) return { applied: false, changes: [], regressions: [] };
    this.revision = d.revision;
    const k = id(d.namespace, d.key);
    const current = this.flags.get(k);
    if (current && current.version > d.version) return { applied: true, changes: [], regressions: [k] };
    this.tombstones.set(k, Math.max(d.version, this.tombstones.get(k) ?? 0));
    if (!current) return { applied: true, changes: [], regressions: [] };
    this.flags.delete(k);
    this.byNamespace.get(d.namespace)?.delete(d.key);
    return { applied: true, changes: [removal(current, d.revision, "delete")], regressions: [] };
  }

  applySegment(p: SegmentPayload): ApplyResult {
    if (p.revision < this.revision) return { applied: false, changes: [], regressions: [] };
    this.revision = p.revision;
    const { revision: _revision, ...segment } = p;
    const r = this.segments.put(segment);
    return { applied: true, changes: this.segmentChanges(r, p.revision, "segment"), regressions: r.regressions.map((k) => `segment ${k}`) };
  }

  applySegmentDelete(d: DeletePayload): ApplyResult {
    if (d.revision < this.revision) return { applied: false, changes: [], regressions: [] };
    this.revision = d.revision;
    const r = this.segments.remove(d.namespace, d.key, d.version);
    return { applied: true, changes: this.segmentChanges(r, d.revision, "segment-delete"), regressions: r.regressions.map((k) => `segment ${k}`) };
  }

  /**
   * `changes` plus a change of each flag that names a changed flag as a prerequisite, transitively,
   * each reported once (flags already in `changes` are not repeated). Its value and version are the
   * same; `prerequisite` names the changed flag that caused it.
   */
  withDependents(changes: FlagChange[]): FlagChange[] {
    if (changes.length === 0) return changes;
    let dependents: Map<string, FlagEntry[]> | undefined;
    for (const f of this.flags.values()) {
      for (const p of prerequisiteRefs(f.targeting)) {
        dependents ??= new Map();
        const k = id(f.namespace, p);
        const list = dependents.get(k);
        if (list) list.push(f);
        else dependents.set(k, [f]);
      }
    }
    if (!dependents) return changes;
    const reported = new Set(changes.map((c) => id(c.namespace, c.key)));
    const out = [...changes];
    for (let i = 0; i < out.length; i++) {
      const cause = out[i]!;
      for (const f of dependents.get(id(cause.namespace, cause.key)) ?? []) {
        const k = id(f.namespace, f.key);
        if (reported.has(k)) continue;
        reported.add(k);
        out.push({ ...unchanged(f), revision: cause.revision, source: cause.source, prerequisite: cause.prerequisite ?? cause.key });
      }
    }
    return out;
  }

  private index(entry: FlagEntry): void {
    let keys = this.byNamespace.get(entry.namespace);
    if (!keys) this.byNamespace.set(entry.namespace, (keys = new Map()));
    keys.set(entry.key, entry);
  }

  /** A change for each flag whose rules name a changed segment (except flags in `skip`). */
  private segmentChanges(r: SegmentApply, revision: number, source: UpdateSource, skip = new Set<string>()): FlagChange[] {
    if (r.changed.length === 0) return [];
    const changed = new Set(r.changed);
    const out: FlagChange[] = [];
    for (const [k, f] of this.flags) {
      if (skip.has(k) || !f.targeting) continue;
      const hit = segmentRefs(f.targeting).find((s) => changed.has(id(f.namespace, s)));
      if (hit === undefined) continue;
      out.push({ ...unchanged(f), revision, source, segment: hit });
    }
    return out;
  }
}

function unchanged(f: FlagEntry): Omit<FlagChange, "revision" | "source"> {
  return { namespace: f.namespace, key: f.key, type: f.type, oldValue: f.value, newValue: f.value, oldVersion: f.version, newVersion: f.version };
}

function diff(old: FlagEntry | undefined, now: FlagEntry, revision: number, source: UpdateSource): FlagChange | null {
  if (old && old.version === now.version && old.type === now.type && sameValue(old.value, now.value) && sameTargeting(old, now)) return null;
  return {
    namespace: now.namespace,
    key: now.key,
    type: now.type,
    oldValue: old?.value,
    newValue: now.value,
    oldVersion: old?.version,
    newVersion: now.version,
    revision,
    source,
  };
}

function removal(old: FlagEntry, revision: number, source: UpdateSource): FlagChange {
  return {
    namespace: old.namespace,
    key: old.key,
    type: old.type,
    oldValue: old.value,
    newValue: undefined,
    oldVersion: old.version,
    newVersion: undefined,
    revision,
    source,
  };
}
