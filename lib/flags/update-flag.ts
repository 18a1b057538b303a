import { eq } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { flags } from "../db/schema";
import { assertValueMatchesType } from "../values/flag-value";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { writeFlagAudit } from "./flag-audit";
import { assertFlagVersion, lockFlag, toFlagView } from "./flag-state";
import { UpdateFlagSchema, type FlagView } from "./schemas";

/**
 * Changes a flag's definition (description, tags, default value). These are not served to SDKs, so
 * only the flag's own version moves and nothing is published. The type is fixed at creation. The
 * default value is what environments created later start serving, production included, so only
 * editors of every environment may change it.
 */
export async function updateFlag({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(UpdateFlagSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: data.defaultValue !== undefined });
  return inTransaction(ctx, async (tx) => {
    const locked = await lockFlag(tx, data.namespace, data.key);
    const { flag } = locked;
    assertFlagVersion(flag, data);
    const before = toFlagView(flag, data.namespace, locked.values);
    const at = new Date();
    const next = {
      ...flag,
      description: data.description === undefined ? flag.description : data.description,
      tags: data.tags ?? flag.tags,
      defaultValue: data.defaultValue === undefined ? flag.defaultValue : assertValueMatchesType(flag.type, data.defaultValue, "defaultValue"),
      version: flag.version + 1,
      updatedAt: at,
    };
    await tx
      .update(flags)
      .set({ description: next.description, tags: next.tags, defaultValue: next.defaultValue, version: next.version, updatedAt: at })
      .where(eq(flags.id, flag.id));
    const after = toFlagView(next, data.namespace, locked.values);
    await writeFlagAudit(tx, ctx, data, { action: "flag.update", flagId: flag.id, before, after });
    return after;
  });
}
