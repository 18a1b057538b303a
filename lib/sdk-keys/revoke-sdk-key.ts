import { eq } from "drizzle-orm";
import { sdkKeys } from "../db/schema";
import { notFound } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { canManageKey, selectSdkKeys, toSdkKeyView } from "./key-access";
import { RevokeSdkKeySchema, type SdkKeyView } from "./schemas";
import { forgetCachedSdkKey } from "./verify-sdk-key";

/**
 * Revokes an SDK key. New connections with it get 403 at once in this process (its cache entry is
 * dropped) and within a second elsewhere; open streams are closed by the stream servers' revocation
 * check (lib/delivery/stream/revocation-check.ts). Revoking a revoked key changes nothing.
 * A key the actor may not manage answers 404, as if it did not exist.
 */
export async function revokeSdkKey({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SdkKeyView> {
  const data = parseInput(RevokeSdkKeySchema, input);
  const view = await inTransaction(ctx, async (tx) => {
    const [row] = await selectSdkKeys(tx).where(eq(sdkKeys.id, data.id)).for("update");
    const before = row ? toSdkKeyView(row) : null;
    if (!before || !canManageKey(ctx.actor, before.namespaces)) throw notFound(`SDK key ${data.id}`);
    if (before.revokedAt) return before;
    const at = new Date();
    await tx.update(sdkKeys).set({ revokedAt: at }).where(eq(sdkKeys.id, data.id));
    const after = { ...before, revokedAt: at.toISOString() };
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "sdk_key.revoke",
      targetType: "sdk_key",
      targetId: data.id,
      environmentKey: before.environment,
      namespaceKey: before.namespaces?.length === 1 ? before.namespaces[0] : null,
      before,
      after,
      reason: data.reason,
    });
    return after;
  });
  forgetCachedSdkKey(ctx.db, data.id);
  return view;
}
