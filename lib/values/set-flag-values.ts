import type { z } from "zod";
import { assertCan } from "../auth/permissions";
import { batchDbFor } from "../db/client";
import { ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import type { Tx } from "../db/client";
import { inBatchTransaction, type CommitWith } from "../core/batch-transaction";
import { inTransaction, type OutboxCollector } from "../core/transaction";
import { isDuplicateKey } from "../db/errors";
import { checkCommitOutcome, commitOutcomeUnknown, newCommitMarker, outcomeIsOpen, outcomeRowsInsert, type IdempotencyClaim } from "../idempotency/commit-outcome";
import { IdempotencyKeyTaken } from "../idempotency/key-taken";
import { applyValueWrites, type ValueWriteOutcome } from "./apply-value-writes";
import { SetFlagValuesSchema, type SetFlagValuesResult } from "../flags/schemas";

/**
 * Sets many flag values at once, all or nothing: one transaction, and per change what setFlagValue
 * does (its own version, audit row and outbox row, its expectedVersion check). Changes apply in
 * order, so a later change to the same value sees the earlier one. If any change is refused, the
 * error names it (changes[i]) and nothing is written. For automation that applies configuration
 * in bulk (CI, GitOps sync), and far cheaper per change than one request each.
 */
export async function setFlagValues({ ctx: keyed, input, claim: given }: { ctx: ServiceContext; input: unknown; claim?: IdempotencyClaim }): Promise<SetFlagValuesResult> {
  // The key (from the admin API's context or the caller) rides in this transaction's own outcome rows.
  const { idempotency, ...ctx } = keyed;
  const claim = given ?? idempotency;
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
  const marker = newCommitMarker();
  let sent: SetFlagValuesResult | null = null;
  const apply = async (tx: Tx, outbox: OutboxCollector, send?: CommitWith) => {
    const outcomeRows = (outcomes: ValueWriteOutcome[]) => {
      sent = resultOf(data.changes, outcomes);
      return outcomeRowsInsert(marker, claim ? [{ claim, json: JSON.stringify(sent) }] : []);
    };
    const outcomes = await applyValueWrites(tx, outbox, writes, { allOrNothing: true, send, db: ctx.db, outcomeRows });
    outcomes.forEach((o, i) => {
      if (!o.ok) throw atChange(o.error, i, data.changes[i]!);
    });
    return resultOf(data.changes, outcomes);
  };
  try {
    return await (batchDb ? inBatchTransaction(ctx, batchDb, apply) : inTransaction(ctx, (tx, outbox) => apply(tx, outbox)));
  } catch (err) {
    // The COMMIT went out without an answer: learn the outcome before reporting one.
    const wrote: SetFlagValuesResult | null = sent;
    if (!wrote || !outcomeIsOpen(err)) throw isDuplicateKey(err) && claim ? new IdempotencyKeyTaken() : err;
    const found = await checkCommitOutcome(ctx.db, marker);
    if (found === "committed") return wrote;
    throw found === "not_committed" ? err : commitOutcomeUnknown(claim?.key ?? null, err);
  }
}

/** The answer for a batch whose changes were all accepted (only asked of such). */
function resultOf(changes: z.output<typeof SetFlagValuesSchema>["changes"], outcomes: ValueWriteOutcome[]): SetFlagValuesResult {
  return {
    changes: outcomes.map((o, i) => {
      const c = changes[i]!;
      const v = o.ok ? o.view.values[c.environment]! : null;
      if (!v) throw new Error("resultOf called for a refused change");
      return { namespace: c.namespace, key: c.key, environment: c.environment, value: v.value, version: v.version, updatedAt: v.updatedAt };
    }),
  };
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
