import { eq } from "drizzle-orm";
import { clearApiTokenCache } from "../auth/api-token-auth";
import { apiTokens } from "../db/schema";
import { forbidden, notFound } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { RevokeApiTokenSchema, type ApiTokenView } from "./schemas";
import { canManageToken, toApiTokenView } from "./token-access";

/**
 * Revokes a token (idempotent: revoking a revoked token changes nothing and writes no audit row).
 * It ends every token it minted too. This process forgets them at once; other processes stop
 * accepting them within their short auth cache window (see auth/api-token-auth.ts).
 */
export async function revokeApiToken({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<ApiTokenView> {
  const data = parseInput(RevokeApiTokenSchema, input);
  const view = await inTransaction(ctx, async (tx) => {
    const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.id, data.id)).for("update");
    if (!row) throw notFound(`API token ${data.id}`);
    if (!canManageToken(ctx.actor, { isSuperAdmin: row.isSuperAdmin, namespaceKeys: row.namespaceKeys ?? null })) {
      throw forbidden("Only super-admins or admins of every namespace the token reaches can revoke it");
    }
    if (row.revokedAt) return toApiTokenView(row);
    const at = new Date();
    await tx.update(apiTokens).set({ revokedAt: at }).where(eq(apiTokens.id, row.id));
    const after = toApiTokenView({ ...row, revokedAt: at });
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: row.id,
      before: toApiTokenView(row),
      after,
      reason: data.reason,
    });
    return after;
  });
  // The whole cache: tokens this one minted stop with it.
  clearApiTokenCache();
  return view;
}
