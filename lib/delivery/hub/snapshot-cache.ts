import type { ScopeSnapshot } from "./hub-types";
import type { Scope } from "./scope";

/**
 * The current snapshot of each recently used scope, so a reconnect storm of thousands of clients
 * of one scope builds and encodes its snapshot once per revision. Least recently used scopes are
 * dropped beyond `capacity`.
 */
export class SnapshotCache {
  private readonly entries = new Map<string, ScopeSnapshot>();

  constructor(private readonly capacity: number) {}

  get(scope: Scope, revision: number, build: () => ScopeSnapshot): ScopeSnapshot {
    const cached = this.entries.get(scope.id);
    if (cached && cached.revision === revision) return cached;
    const snap = build();
    this.entries.delete(scope.id);
    this.entries.set(scope.id, snap);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return snap;
  }

  clear(): void {
    this.entries.clear();
  }
}
