import { assertCan } from "../../auth/permissions";
import { flagValues } from "../../db/schema";
import { conflict, notFound } from "../../errors/service-error";
import { writeOutbox } from "../../outbox/write-outbox";
import { assertValueMatchesType } from "../../validation/flag-value";
import { parseInput } from "../../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../context";
import { inTransaction } from "../transaction";
import { desiredItem, lockFlag, toFlagView } from "./flag-state";
import { SetFlagValueSchema, type FlagView } from "./schemas";
import { eq } from "drizzle-orm";

/** Sets a flag's value in one environment: value version +1, audit row and outbox row, one transaction. */
export async function setFlagValue({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(SetFlagValueSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  return inTransaction(ctx, async (tx, outbox) => {
    const locked = await lockFlag(tx, data.namespace, data.key);
    const value = assertValueMatchesType(locked.flag.type, data.value);
    const target = locked.values.find((v) => v.env.key === data.environment);
    if (!target) throw notFound(`Environment '${data.environment}'`);
    if (data.expectedVersion !== undefined && data.expectedVersion !== target.row.version) {
      throw conflict(
        `The value of ${data.namespace}/${data.key} in ${data.environment} was changed by someone else (now version ${target.row.version}, you expected ${data.expectedVersion})`,
        { currentVersion: target.row.version, current: target.row.value },
      );
    }
    const at = new Date();
    const before = { value: target.row.value, version: target.row.version };
    const next = { ...target.row, value, version: target.row.version + 1, committedAt: at, updatedAt: at };
    await tx
      .update(flagValues)
      .set({ value, version: next.version, committedAt: at, updatedAt: at })
      .where(eq(flagValues.id, target.row.id));
    target.row = next;
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "flag_value.set",
      targetType: "flag_value",
      targetId: locked.flag.id,
      namespaceKey: data.namespace,
      environmentKey: data.environment,
      flagKey: data.key,
      before,
      after: { value, version: next.version },
      reason: data.reason,
    });
    await writeOutbox(tx, outbox, [desiredItem(locked.flag, data.namespace, data.environment, next, at)], at);
    return toFlagView(locked.flag, data.namespace, locked.values);
  });
}
