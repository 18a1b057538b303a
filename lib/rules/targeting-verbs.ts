import { and, eq } from "drizzle-orm";
import { StrictFlagTargetingSchema } from "../../sdk/src/targeting";
import { assertCan } from "../auth/permissions";
import { environments, flags, flagValues, namespaces } from "../db/schema";
import { conflict, notFound } from "../errors/service-error";
import { writeOutbox } from "../outbox/write-outbox";
import { targetingInvalid } from "../segments/segment-state";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { desiredItem, lockFlag, type FlagRow, type ValueRow } from "../flags/flag-state";
import { inTransaction } from "../core/transaction";
import { parseInput } from "../validation/parse";
import { assertReferences, lockNamespaceForPrerequisites } from "./references";
import { compactTargeting, SetTargetingSchema, TargetingRefSchema, type TargetingView } from "./schemas";

/**
 * Saves a flag's rules in one environment (issue 14). Same permission, concurrency and transaction
 * as a value write: flag:write on that environment; the (flag, environment) version goes up by one
 * (value and rules share it; a stale expectedVersion is a 409 with details.currentVersion); one
 * audit row with the rules before and after; one outbox row with the full flag document, its
 * `targeting` included. Refused (nothing written) when a value is malformed (422 naming the path,
 * e.g. `rules.0.constraints.1.value`), a segment or prerequisite flag does not exist (422), or a
 * prerequisite cycle would form (422 naming it).
 */
export async function setTargeting({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<TargetingView> {
  const data = parseInput(SetTargetingSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  const { namespace, key, environment, expectedVersion, reason, ...fields } = data;
  return inTransaction(ctx, async (tx, outbox) => {
    if (fields.prerequisites.length) await lockNamespaceForPrerequisites(tx, namespace);
    const locked = await lockFlag(tx, namespace, key);
    const target = locked.values.find((v) => v.env.key === environment);
    if (!target) throw notFound(`Environment '${environment}'`);
    const row = target.row;
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw conflict(
        `The rules of ${namespace}/${key} in ${environment} were changed by someone else (now version ${row.version}, you expected ${expectedVersion})`,
        { currentVersion: row.version, current: { value: row.value, targeting: row.targeting ?? {} } },
      );
    }
    const strict = StrictFlagTargetingSchema.safeParse({ key, type: locked.flag.type, value: row.value ?? null, ...fields });
    if (!strict.success) throw targetingInvalid(strict.error.issues);
    await assertReferences(tx, locked.flag.namespaceId, target.env.id, strict.data);
    const { key: _k, type: _t, value: _v, ...parsed } = strict.data;
    const stored = compactTargeting(parsed);
    const at = new Date();
    const after: ValueRow = { ...row, targeting: stored, version: row.version + 1, committedAt: at, updatedAt: at };
    await tx
      .update(flagValues)
      .set({ targeting: stored, version: after.version, committedAt: at, updatedAt: at })
      .where(eq(flagValues.id, row.id));
    target.row = after;
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "flag_targeting.set",
      targetType: "flag_value",
      targetId: locked.flag.id,
      namespaceKey: namespace,
      environmentKey: environment,
      flagKey: key,
      before: { targeting: row.targeting ?? {}, version: row.version },
      after: { targeting: stored ?? {}, version: after.version },
      reason,
    });
    await writeOutbox(tx, outbox, [desiredItem(locked.flag, namespace, environment, after, at)], at);
    return toTargetingView(locked.flag, namespace, environment, after);
  });
}

export async function getTargeting({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<TargetingView> {
  const data = parseInput(TargetingRefSchema, input);
  assertCan(ctx.actor, "flag:read", { namespaceKey: data.namespace });
  const [r] = await ctx.db
    .select({ flag: flags, row: flagValues })
    .from(flagValues)
    .innerJoin(flags, eq(flags.id, flagValues.flagId))
    .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(and(eq(namespaces.key, data.namespace), eq(flags.key, data.key), eq(environments.key, data.environment)));
  if (!r || r.flag.deletedAt) throw notFound(`Flag '${data.namespace}/${data.key}' in '${data.environment}'`);
  return toTargetingView(r.flag, data.namespace, data.environment, r.row);
}

function toTargetingView(flag: FlagRow, namespace: string, environment: string, row: ValueRow): TargetingView {
  return {
    namespace,
    key: flag.key,
    environment,
    type: flag.type,
    value: (row.value ?? null) as TargetingView["value"],
    version: row.version,
    updatedAt: (row.committedAt ?? row.updatedAt).toISOString(),
    targeting: row.targeting ?? {},
  };
}
