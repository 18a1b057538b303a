import { eq } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { flags } from "../db/schema";
import { writeOutbox } from "../outbox/write-outbox";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { writeFlagAudit } from "./flag-audit";
import { bumpAllValues, assertFlagVersion, lockFlag, toFlagView } from "./flag-state";
import { ArchiveFlagSchema, type FlagView } from "./schemas";

/**
 * Archives (or restores) a flag. Archived flags are not served: every environment's version moves
 * up and its etcd key is deleted (tombstoned); restoring publishes the values again.
 */
export async function archiveFlag({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(ArchiveFlagSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace });
  return inTransaction(ctx, async (tx, outbox) => {
    const locked = await lockFlag(tx, data.namespace, data.key);
    // Archiving (or restoring) changes what every environment serves, production included, so an
    // editor limited to some environments may not do it.
    for (const v of locked.values) assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: v.env.key });
    const { flag } = locked;
    assertFlagVersion(flag, data);
    const before = toFlagView(flag, data.namespace, locked.values);
    if (flag.archived === data.archived) return before;
    const at = new Date();
    const next = { ...flag, archived: data.archived, version: flag.version + 1, updatedAt: at };
    await tx.update(flags).set({ archived: next.archived, version: next.version, updatedAt: at }).where(eq(flags.id, flag.id));
    const items = await bumpAllValues(tx, locked, next, at);
    const after = toFlagView(next, data.namespace, locked.values);
    await writeFlagAudit(tx, ctx, data, { action: data.archived ? "flag.archive" : "flag.unarchive", flagId: flag.id, before, after });
    await writeOutbox(tx, outbox, items, at);
    return after;
  });
}
