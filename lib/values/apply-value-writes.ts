import type { ResultSetHeader } from "mysql2/promise";
import type { Tx } from "../db/client";
import { columnName, connectionOf, execAll, jsonParam, tableName, type RawStatement } from "../db/raw-sql";
import { flagValues } from "../db/schema";
import type { PublishItem } from "../etcd/fence";
import { conflict, notFound, ServiceError } from "../errors/service-error";
import { outboxInsert, recordOutboxIds } from "../outbox/write-outbox";
import { assertValueMatchesType } from "./flag-value";
import { auditInsert, type AuditEntry } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import type { OutboxCollector } from "../core/transaction";
import type { IdempotencyClaim } from "../idempotency/commit-outcome";
import { desiredItem, toFlagView, type LockedFlag, type ValueRow } from "../flags/flag-state";
import { flagRefKey, lockFlags } from "../flags/lock-flags";
import type { FlagView, SetFlagValueInput } from "../flags/schemas";

export interface ValueWrite {
  ctx: ServiceContext;
  data: SetFlagValueInput;
  /** The client's Idempotency-Key, recorded with this write's answer in its transaction. */
  claim?: IdempotencyClaim;
}

/** A write's own outcome: its view of the flag right after it, or the ServiceError that refused it. */
export type ValueWriteOutcome = { ok: true; view: FlagView } | { ok: false; error: ServiceError };

/**
 * Applies value writes in order inside the caller's transaction, as if each were its own
 * setFlagValue: its own version, audit row and outbox row, its own 404 / 409 / 422. A refused write
 * changes nothing and does not disturb the others; two writes to the same value in one batch see
 * each other in order (the second's expectedVersion is checked against the first's result).
 * Statements per batch are fixed (namespaces, lock, update, audit, outbox), whatever its size.
 */
export async function applyValueWrites(
  tx: Tx,
  outbox: OutboxCollector,
  writes: ValueWrite[],
  opts: {
    allOrNothing?: boolean;
    /** How the writes are sent (inBatchTransaction's commitWith); default: one by one on `tx`. */
    send?: (stmts: RawStatement[]) => Promise<ResultSetHeader[]>;
    /** Stable identity of the database, for lockFlags' namespace-id cache. */
    db?: object;
    /**
     * The transaction's commit marker and client-key rows (idempotency/commit-outcome.ts), given
     * the outcomes; sent first, right before the writes go out (the caller learns they were sent).
     */
    outcomeRows?: (outcomes: ValueWriteOutcome[]) => RawStatement;
  } = {},
): Promise<ValueWriteOutcome[]> {
  const locked = await lockFlags(tx, writes.map((w) => w.data), opts.db);
  const at = new Date();
  const changed = new Map<number, ValueRow>();
  const audits: { actor: ServiceContext["actor"]; meta: ServiceContext["meta"]; entry: AuditEntry }[] = [];
  const items: PublishItem[] = [];
  const outcomes = writes.map(({ ctx, data }): ValueWriteOutcome => {
    try {
      const lookup = locked.get(flagRefKey(data))!;
      if ("missing" in lookup) throw notFound(lookup.missing === "namespace" ? `Namespace '${data.namespace}'` : `Flag '${data.namespace}/${data.key}'`);
      const lf = lookup.found;
      const value = assertValueMatchesType(lf.flag.type, data.value);
      const target = lf.values.find((v) => v.env.key === data.environment);
      if (!target) throw notFound(`Environment '${data.environment}'`);
      if (data.expectedVersion !== undefined && data.expectedVersion !== target.row.version) {
        throw conflict(
          `The value of ${data.namespace}/${data.key} in ${data.environment} was changed by someone else (now version ${target.row.version}, you expected ${data.expectedVersion})`,
          { currentVersion: target.row.version, current: target.row.value },
        );
      }
      const before = { value: target.row.value, version: target.row.version };
      target.row = { ...target.row, value, version: target.row.version + 1, committedAt: at, updatedAt: at };
      changed.set(target.row.id, target.row);
      audits.push({
        actor: ctx.actor,
        meta: ctx.meta,
        entry: {
          action: "flag_value.set",
          targetType: "flag_value",
          targetId: lf.flag.id,
          namespaceKey: data.namespace,
          environmentKey: data.environment,
          flagKey: data.key,
          before,
          after: { value, version: target.row.version },
          reason: data.reason,
        },
      });
      items.push(desiredItem(lf.flag, data.namespace, data.environment, target.row, at));
      return { ok: true, view: viewOf(lf) };
    } catch (err) {
      if (err instanceof ServiceError) return { ok: false, error: err };
      throw err;
    }
  });
  // All or nothing: one refused write means no statement is sent (the caller rolls back).
  if (opts.allOrNothing && outcomes.some((o) => !o.ok)) return outcomes;
  // The update and both inserts: one round trip (with the COMMIT) under inBatchTransaction.
  const stmts: RawStatement[] = [];
  if (changed.size && opts.outcomeRows) stmts.push(opts.outcomeRows(outcomes));
  if (changed.size) stmts.push(valueUpdate([...changed.values()], at));
  if (audits.length) stmts.push(auditInsert(audits));
  if (items.length) stmts.push(outboxInsert(items, at, outbox.relayGraceMs));
  if (stmts.length === 0) return outcomes;
  const results = await (opts.send ?? ((st) => execAll(connectionOf(tx), st, false)))(stmts);
  if (items.length) recordOutboxIds(outbox, items, at, results[results.length - 1]!.insertId);
  return outcomes;
}

/** The flag as this write leaves it (later writes in the batch replace rows, never mutate them). */
function viewOf(lf: LockedFlag): FlagView {
  return toFlagView(lf.flag, lf.namespaceKey, lf.values.map((v) => ({ env: v.env, row: v.row })));
}

/** One UPDATE for every changed value row: value and version chosen per id with CASE (plain SQL, see db/raw-sql.ts). */
function valueUpdate(rows: ValueRow[], at: Date): RawStatement {
  const when = Array(rows.length).fill("WHEN ? THEN ?").join(" ");
  const params: unknown[] = [];
  for (const r of rows) params.push(r.id, jsonParam(r.value));
  for (const r of rows) params.push(r.id, r.version);
  params.push(at, at, rows.map((r) => r.id));
  return {
    sql: `UPDATE ${T} SET ${C.value} = CASE ${C.id} ${when} END, ${C.version} = CASE ${C.id} ${when} END, ${C.committedAt} = ?, ${C.updatedAt} = ? WHERE ${C.id} IN (?)`,
    params,
  };
}

const T = tableName(flagValues);
const C = {
  id: columnName(flagValues, "id"),
  value: columnName(flagValues, "value"),
  version: columnName(flagValues, "version"),
  committedAt: columnName(flagValues, "committedAt"),
  updatedAt: columnName(flagValues, "updatedAt"),
};
