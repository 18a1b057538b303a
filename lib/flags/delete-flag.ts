import { eq } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { flags } from "../db/schema";
import { writeOutbox } from "../outbox/write-outbox";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { writeFlagAudit } from "./flag-audit";
import { bumpAllValues, assertFlagVersion, lockFlag, toFlagView } from "./flag-state";
import { DeleteFlagSchema } from "./schemas";

/**
 * Deletes a flag (namespace admins only). The row is kept as deleted so a later flag with the same
 * key continues its version sequence; every environment's etcd key is deleted with a tombstone.
 */
export async function deleteFlag({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ deleted: true }> {
  const data = parseInput(DeleteFlagSchema, input);
  assertCan(ctx.actor, "namespace:admin", { namespaceKey: data.namespace });
  return inTransaction(ctx, async (tx, outbox) => {
    const locked = await lockFlag(tx, data.namespace, data.key);
    const { flag } = locked;
    assertFlagVersion(flag, data);
    const before = toFlagView(flag, data.namespace, locked.values);
    const at = new Date();
    const next = { ...flag, deletedAt: at, version: flag.version + 1, updatedAt: at };
    await tx.update(flags).set({ deletedAt: at, version: next.version, updatedAt: at }).where(eq(flags.id, flag.id));
    const items = await bumpAllValues(tx, locked, next, at);
    await writeFlagAudit(tx, ctx, data, { action: "flag.delete", flagId: flag.id, before, after: null });
    await writeOutbox(tx, outbox, items, at);
    return { deleted: true as const };
  });
}
