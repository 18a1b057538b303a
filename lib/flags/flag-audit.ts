import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import type { Tx } from "../db/client";
import type { FlagView } from "./schemas";

/**
 * The audit row of a change to a flag's definition (create, update, archive, delete): every such
 * verb names its target the same way, so a flag's history finds them all.
 */
export function writeFlagAudit(
  tx: Tx,
  ctx: ServiceContext,
  data: { namespace: string; key: string; reason?: string | undefined },
  c: { action: string; flagId: number; before: FlagView | null; after: FlagView | null },
): Promise<void> {
  return writeAudit(tx, ctx.actor, ctx.meta, {
    action: c.action,
    targetType: "flag",
    targetId: c.flagId,
    namespaceKey: data.namespace,
    flagKey: data.key,
    before: c.before,
    after: c.after,
    reason: data.reason,
  });
}
