import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import type { apiTokens } from "../db/schema";
import type { ApiTokenView } from "./schemas";

type TokenRow = typeof apiTokens.$inferSelect;

/**
 * Who may manage (create, see, revoke) a token: super-admins, or an actor who is namespace admin in
 * every namespace the token reaches. Admin is the top of the role ladder and tokens carry no
 * environment limits, so this also means a token never has more power than its creator.
 */
export function canManageToken(actor: Actor, token: { isSuperAdmin: boolean; namespaceKeys: string[] | null }): boolean {
  if (actor.isSuperAdmin) return true;
  if (token.isSuperAdmin) return false;
  if (token.namespaceKeys === null) return actor.grants.some((g) => g.namespaceKey === null && g.role === "admin");
  return token.namespaceKeys.every((ns) => can(actor, "namespace:admin", { namespaceKey: ns }));
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toApiTokenView(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    superAdmin: row.isSuperAdmin,
    namespaces: row.namespaceKeys ?? null,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
  };
}
