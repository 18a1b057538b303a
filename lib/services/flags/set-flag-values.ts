import { assertCan } from "../../auth/permissions";
import { batchDbFor } from "../../db/client";
import { ServiceError } from "../../errors/service-error";
import { parseInput } from "../../validation/parse";
import type { ServiceContext } from "../context";
import type { Tx } from "../../db/client";
import { inBatchTransaction, type CommitWith } from "../batch-transaction";
import { inTransaction, type OutboxCollector } from "../transaction";
import { applyValueWrites } from "./apply-value-writes";
import { SetFlagValuesSchema, type SetFlagValuesResult } from "./schemas";

/**
 * Sets many flag values at once, all or nothing: one transaction, and per change what setFlagValue
 * does (its own version, audit row and outbox row, its expectedVersion check). Changes apply in
 * order, so a later change to the same value sees the earlier one. If any change is refused, the
 * error names it (changes[i]) and nothing is written. For automation that applies configuration
 * in bulk (CI, GitOps sync), and far cheaper per change than one request each.
 */
export async function setFlagValues({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SetFlagValuesResult> {
  const data = parseInput(SetFlagValuesSchema, input);
  data.changes.forEach((c, i) => {
    try {
      assertCan(ctx.actor, "flag:write", { namespaceKey: c.namespace, environmentKey: c.environment });
    } catch (err) {
      throw atChange(err, i, c);
    }
  });
  const writes = data.changes.map((c) => ({ ctx, data: { ...c, reason: data.reason } }));
  const batchDb = batchDbFor(ctx.db);
  const apply = async (tx: Tx, outbox: OutboxCollector, send?: CommitWith) => {
    const outcomes = await applyValueWrites(tx, outbox, writes, { allOrNothing: true, send, db: ctx.db });
    const changes: SetFlagValuesResult["changes"] = [];
    for (const [i, o] of outcomes.entries()) {
      const c = data.changes[i]!;
      if (!o.ok) throw atChange(o.error, i, c);
      const v = o.view.values[c.environment]!;
      changes.push({ namespace: c.namespace, key: c.key, environment: c.environment, value: v.value, version: v.version, updatedAt: v.updatedAt });
    }
    return { changes };
  };
  return batchDb ? inBatchTransaction(ctx, batchDb, apply) : inTransaction(ctx, (tx, outbox) => apply(tx, outbox));
}

/** The same error, saying which change it is about (message, field paths and details.index). */
function atChange(err: unknown, index: number, c: { namespace: string; key: string; environment: string }): unknown {
  if (!(err instanceof ServiceError)) return err;
  return new ServiceError(err.code, `changes[${index}] (${c.namespace}/${c.key} in ${c.environment}): ${err.message}`, {
    issues: err.issues?.map((i) => ({ ...i, path: `changes.${index}.${i.path}` })),
    details: { ...err.details, index },
    cause: err,
  });
}
