import { desc } from "drizzle-orm";
import { apiTokens } from "../db/schema";
import type { ServiceContext } from "../core/context";
import type { ApiTokenView } from "./schemas";
import { canManageToken, toApiTokenView } from "./token-access";

/**
 * Lists the tokens the actor may manage (all for super-admins; for namespace admins those within
 * their namespaces), newest first, revoked ones included. Secrets are never stored, so never listed.
 */
export async function listApiTokens({ ctx }: { ctx: ServiceContext }): Promise<ApiTokenView[]> {
  const rows = await ctx.db.select().from(apiTokens).orderBy(desc(apiTokens.id));
  return rows
    .filter((r) => canManageToken(ctx.actor, { isSuperAdmin: r.isSuperAdmin, namespaceKeys: r.namespaceKeys ?? null }))
    .map(toApiTokenView);
}
