import type { Role } from "../db/schema";
import type { Actor, Grant } from "./actor";

/**
 * What an API token may do: its own stored scope (role over some or all namespaces, maybe
 * super-admin) cut down to what its creator may do *now*. A token is a delegation, not a copy of
 * its creator's rights at minting time: when the creator loses a role the token loses it too.
 */
export interface TokenScope {
  role: Role;
  isSuperAdmin: boolean;
  namespaceKeys: string[] | null;
}

export type Rights = Pick<Actor, "isSuperAdmin" | "grants">;

const RANK: Record<Role, number> = { viewer: 1, reviewer: 2, editor: 3, admin: 4 };
const lower = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

/** The token's scope taken at face value (tokens the system minted have no creator to bound them). */
export function ownRights(scope: TokenScope): Rights {
  const ns = scope.namespaceKeys;
  return {
    isSuperAdmin: scope.isSuperAdmin,
    grants: ns === null ? [{ namespaceKey: null, role: scope.role, environmentKeys: null }] : ns.map((k) => ({ namespaceKey: k, role: scope.role, environmentKeys: null })),
  };
}

/**
 * The intersection of a token's scope with its creator's current rights. Each creator grant is
 * narrowed to the token's namespaces and to the lower of the two roles; an editor's environment
 * limit carries over, so a token of a staging-only editor cannot write production either.
 */
export function boundedRights(scope: TokenScope, creator: Rights): Rights {
  if (creator.isSuperAdmin) return ownRights(scope);
  const grants: Grant[] = [];
  for (const g of creator.grants) {
    const role = lower(scope.role, g.role);
    const environmentKeys = role === "editor" && g.role === "editor" ? g.environmentKeys : null;
    const namespaces = scope.namespaceKeys === null ? [g.namespaceKey] : g.namespaceKey === null ? scope.namespaceKeys : scope.namespaceKeys.filter((k) => k === g.namespaceKey);
    for (const namespaceKey of namespaces) grants.push({ namespaceKey, role, environmentKeys });
  }
  return { isSuperAdmin: false, grants };
}
