import type { FlagDocument } from "../flags/document";
import type { SnapshotFlag } from "./hub-types";
import type { Scope } from "./scope";

/**
 * The hub's in-memory copy of what etcd serves: environment -> "namespace/key" -> document, plus,
 * per environment and namespace, the highest revision that changed anything there. That revision
 * comes from etcd's mod_revisions (documents and tombstones), so every process computes the same
 * value for the same etcd history and /flags ETags agree behind a load balancer.
 */
export class HubState {
  private readonly envs = new Map<string, Map<string, FlagDocument>>();
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
      out.push({ namespace: doc.namespace, key: doc.key, type: doc.type, value: doc.value, version: doc.version });
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
