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
