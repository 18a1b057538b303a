import type { Role } from "../db/schema";
import { forbidden } from "../errors/service-error";
import type { Actor } from "./actor";

/**
 * Role ladder: each role includes everything below it.
 *   viewer   - read flags and values
 *   reviewer - + read the full audit history and export it
 *   editor   - + change flags and values (optionally only in some environments)
 *   admin    - + manage the namespace: SDK keys, members, deleting flags
 * Super-admins (and the system actor) may do everything, including users and environments.
 */
const RANK: Record<Role, number> = { viewer: 1, reviewer: 2, editor: 3, admin: 4 };

export type Permission = "flag:read" | "audit:read" | "flag:write" | "namespace:admin";

const NEEDS: Record<Permission, Role> = {
  "flag:read": "viewer",
  "audit:read": "reviewer",
  "flag:write": "editor",
  "namespace:admin": "admin",
};

/**
 * Where an action applies: a namespace, and for writes maybe one environment. `everyEnvironment`
 * marks a write that reaches every environment, including ones created later (a flag's default
 * value, which new environments start serving): environment-limited editors may not make it.
 */
export interface Scope {
  namespaceKey: string;
  environmentKey?: string;
  everyEnvironment?: boolean;
}

export function can(actor: Actor, permission: Permission, scope: Scope): boolean {
  if (actor.isSuperAdmin) return true;
  const need = RANK[NEEDS[permission]];
  return actor.grants.some((g) => {
    if (g.namespaceKey !== null && g.namespaceKey !== scope.namespaceKey) return false;
    if (RANK[g.role] < need) return false;
    // Environment limits narrow writes only; reading is never environment-limited.
    if (permission === "flag:write" && g.role === "editor" && g.environmentKeys) {
      if (scope.everyEnvironment) return false;
      if (scope.environmentKey) return g.environmentKeys.includes(scope.environmentKey);
    }
    return true;
  });
}

export function assertCan(actor: Actor, permission: Permission, scope: Scope): void {
  if (!can(actor, permission, scope)) {
    const where = scope.everyEnvironment ? `every environment of ${scope.namespaceKey}` : scope.environmentKey ? `${scope.namespaceKey} / ${scope.environmentKey}` : scope.namespaceKey;
    throw forbidden(`Your role does not allow ${permission} in ${where}`);
  }
}

export function assertSuperAdmin(actor: Actor, what: string): void {
  if (!actor.isSuperAdmin) throw forbidden(`Only administrators can ${what}`);
}

/**
 * Namespaces the actor can see at all; null means "every namespace". Lists are filtered with this so
 * that names of namespaces a user has no role in never leak.
 */
export function visibleNamespaceKeys(actor: Actor): Set<string> | null {
  if (actor.isSuperAdmin || actor.grants.some((g) => g.namespaceKey === null)) return null;
  return new Set(actor.grants.map((g) => g.namespaceKey).filter((k): k is string => k !== null));
}
