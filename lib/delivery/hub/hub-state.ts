import type { FlagDocument, SegmentDocument } from "../../flags/document";
import type { SnapshotFlag, SnapshotSegment } from "./hub-types";
import type { Scope } from "./scope";

/**
 * The hub's in-memory copy of what etcd serves: environment -> "namespace/key" -> document, plus,
 * per environment and namespace, the highest revision that changed anything there. That revision
 * comes from etcd's mod_revisions (documents and tombstones), so every process computes the same
 * value for the same etcd history and /flags ETags agree behind a load balancer.
 */
export class HubState {
  private readonly envs = new Map<string, Map<string, FlagDocument>>();
  /** Segments (issue 14), like flags: environment -> "namespace/key" -> document. */
  private readonly segmentEnvs = new Map<string, Map<string, SegmentDocument>>();
  private readonly changes = new Map<string, Map<string, number>>();
  private flagCount = 0;

  get size(): number {
    return this.flagCount;
  }

  get(environment: string, namespace: string, key: string): FlagDocument | undefined {
    return this.envs.get(environment)?.get(`${namespace}/${key}`);
  }

  put(environment: string, doc: FlagDocument, revision: number): void {
    let env = this.envs.get(environment);
    if (!env) this.envs.set(environment, (env = new Map()));
    const k = `${doc.namespace}/${doc.key}`;
    if (!env.has(k)) this.flagCount++;
    env.set(k, doc);
    this.touch(environment, doc.namespace, revision);
  }

  remove(environment: string, namespace: string, key: string, revision: number): FlagDocument | undefined {
    const env = this.envs.get(environment);
    const k = `${namespace}/${key}`;
    const old = env?.get(k);
    if (old) {
      env!.delete(k);
      this.flagCount--;
      if (env!.size === 0) this.envs.delete(environment);
    }
    this.touch(environment, namespace, revision);
    return old;
  }

  segment(environment: string, namespace: string, key: string): SegmentDocument | undefined {
    return this.segmentEnvs.get(environment)?.get(`${namespace}/${key}`);
  }

  putSegment(environment: string, doc: SegmentDocument, revision: number): void {
    let env = this.segmentEnvs.get(environment);
    if (!env) this.segmentEnvs.set(environment, (env = new Map()));
    env.set(`${doc.namespace}/${doc.key}`, doc);
    this.touch(environment, doc.namespace, revision);
  }

  removeSegment(environment: string, namespace: string, key: string, revision: number): SegmentDocument | undefined {
    const env = this.segmentEnvs.get(environment);
    const old = env?.get(`${namespace}/${key}`);
    if (old) {
      env!.delete(`${namespace}/${key}`);
      if (env!.size === 0) this.segmentEnvs.delete(environment);
    }
    this.touch(environment, namespace, revision);
    return old;
  }

  /** The scope's segments, sorted by namespace then key. */
  segmentsIn(scope: Scope): SnapshotSegment[] {
    const env = this.segmentEnvs.get(scope.environment);
    if (!env) return [];
    const out: SnapshotSegment[] = [];
    for (const doc of env.values()) {
      if (scope.namespaces !== null && !scope.namespaces.has(doc.namespace)) continue;
      out.push({ namespace: doc.namespace, key: doc.key, ...(doc.name !== undefined ? { name: doc.name } : {}), constraints: doc.constraints, version: doc.version });
    }
    return out.sort((a, b) => (a.namespace === b.namespace ? cmp(a.key, b.key) : cmp(a.namespace, b.namespace)));
  }

  /** Records that something in (environment, namespace) changed at `revision`. */
  touch(environment: string, namespace: string, revision: number): void {
    let env = this.changes.get(environment);
    if (!env) this.changes.set(environment, (env = new Map()));
    if ((env.get(namespace) ?? 0) < revision) env.set(namespace, revision);
  }

  /** The scope's flags, sorted by namespace then key (stable output for identical state). */
  flagsIn(scope: Scope): SnapshotFlag[] {
    const env = this.envs.get(scope.environment);
    if (!env) return [];
    const out: SnapshotFlag[] = [];
    for (const doc of env.values()) {
      if (scope.namespaces !== null && !scope.namespaces.has(doc.namespace)) continue;
      const f: SnapshotFlag = { namespace: doc.namespace, key: doc.key, type: doc.type, value: doc.value, version: doc.version };
      if (doc.targeting && Object.keys(doc.targeting).length) f.targeting = doc.targeting;
      out.push(f);
    }
    return out.sort((a, b) => (a.namespace === b.namespace ? cmp(a.key, b.key) : cmp(a.namespace, b.namespace)));
  }

  lastChangeIn(scope: Scope): number {
    const env = this.changes.get(scope.environment);
    if (!env) return 0;
    let max = 0;
    if (scope.namespaces === null) {
      for (const rev of env.values()) max = Math.max(max, rev);
    } else {
      for (const ns of scope.namespaces) max = Math.max(max, env.get(ns) ?? 0);
    }
    return max;
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
