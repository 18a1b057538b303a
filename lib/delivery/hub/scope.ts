import { createHash } from "node:crypto";

/**
 * What one SDK key may read: one environment and a set of namespaces (null = all of them).
 * Invariant 4 rests on `inScope`: every flag a stream or /flags sends passes through it.
 * `id` names the scope for caches (encoded snapshots are shared by every client of a scope).
 */
export interface Scope {
  readonly environment: string;
  readonly namespaces: ReadonlySet<string> | null;
  readonly id: string;
  /** Short stable hash of `id`, used in ETags. */
  readonly hash: string;
}

export function makeScope(environment: string, namespaces: readonly string[] | null): Scope {
  const sorted = namespaces === null ? null : [...new Set(namespaces)].sort();
  const id = `${environment}|${sorted === null ? "*" : sorted.join(",")}`;
  return {
    environment,
    namespaces: sorted === null ? null : new Set(sorted),
    id,
    hash: createHash("sha256").update(id).digest("base64url").slice(0, 12),
  };
}

export function inScope(scope: Scope, environment: string, namespace: string): boolean {
  return scope.environment === environment && (scope.namespaces === null || scope.namespaces.has(namespace));
}

/**
 * One Scope object per distinct (environment, namespaces), so per-scope caches (snapshots, ETags)
 * keyed by it are shared by every key of that scope. Bounded: the oldest entry goes past `capacity`.
 */
export class ScopeCache {
  private readonly scopes = new Map<string, Scope>();
  /**
   * By principal object: a verified key's principal is one object for as long as its verification
   * is cached, so most requests find their scope without sorting and joining its namespaces.
   * Principals are never mutated (verify-sdk-key.ts builds a new one per lookup).
   */
  private readonly byObject = new WeakMap<object, Scope>();

  constructor(private readonly capacity = 10_000) {}

  of(p: { environment: string; namespaces: readonly string[] | null }): Scope {
    const known = this.byObject.get(p);
    if (known) return known;
    const scope = this.byId(p);
    this.byObject.set(p, scope);
    return scope;
  }

  private byId(p: { environment: string; namespaces: readonly string[] | null }): Scope {
    const id = `${p.environment}|${p.namespaces === null ? "*" : [...p.namespaces].sort().join(",")}`;
    let scope = this.scopes.get(id);
    if (!scope) {
      scope = makeScope(p.environment, p.namespaces);
      if (this.scopes.size >= this.capacity) this.scopes.delete(this.scopes.keys().next().value as string);
      this.scopes.set(id, scope);
    }
    return scope;
  }
}
