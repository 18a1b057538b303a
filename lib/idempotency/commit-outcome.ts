import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { columnName, execRaw, multiInsert, poolOf, tableName, type RawStatement } from "../db/raw-sql";
import { idempotencyKeys } from "../db/schema";
import { isDatabaseUnavailable } from "../errors/http";
import { ServiceError } from "../errors/service-error";
import { metrics } from "../observability/metrics";

/** Scope of the per-transaction commit markers (client keys are scoped by caller, e.g. "token:12"). */
export const COMMIT_SCOPE = "commit";
/** `status` of a marker the write's transaction inserted, and of one the outcome check inserted. */
export const WRITTEN_BY_TRANSACTION = 1;
const WRITTEN_BY_CHECK = 0;
/** How long the outcome check keeps trying to reach the database before answering "unknown". */
export const OUTCOME_CHECK_BOUND_MS = 10_000;
const CHECK_RETRY_MS = 250;

/** A client's Idempotency-Key claim: recorded, with the answer to replay, in the write's transaction. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  fingerprint: string;
  status: number;
}

export const newCommitMarker = (): string => randomUUID();

/**
 * The first statement of a write's transaction: its commit marker plus the rows of the client
 * keys it answers (`responses`, one per claim). First, so that a transaction whose marker or key
 * is already taken stops before it writes anything.
 */
export function outcomeRowsInsert(marker: string, responses: { claim: IdempotencyClaim; json: string }[]): RawStatement {
  const rows: unknown[][] = [[COMMIT_SCOPE, marker, null, WRITTEN_BY_TRANSACTION, null]];
  for (const r of responses) rows.push([r.claim.scope, r.claim.key, r.claim.fingerprint, r.claim.status, r.json]);
  return { sql: INSERT, params: [rows] };
}

export type CommitOutcome = "committed" | "not_committed" | "unknown";

/**
 * Finds out, on fresh connections, whether the transaction that wrote `marker` committed, after
 * its COMMIT (or the statements riding with it) failed without a reply: a deadline or a lost
 * connection says nothing about whether the server committed. The check inserts the same marker
 * itself (INSERT IGNORE): that waits for a transaction still holding it, fails if it committed,
 * and otherwise takes the key so a COMMIT still on its way can no longer succeed (its own marker
 * insert, the transaction's first statement, would fail). The row then says who wrote it, which
 * also keeps a check whose own reply was lost from being mistaken for the write.
 */
export async function checkCommitOutcome(db: Db, marker: string, boundMs = OUTCOME_CHECK_BOUND_MS): Promise<CommitOutcome> {
  const until = performance.now() + boundMs;
  for (;;) {
    try {
      await execRaw(poolOf(db), FENCE, [COMMIT_SCOPE, marker, WRITTEN_BY_CHECK]);
      const [rows] = (await poolOf(db).query(WHO, [COMMIT_SCOPE, marker])) as unknown as [{ status: number | null }[]];
      const outcome = rows[0]?.status === WRITTEN_BY_TRANSACTION ? "committed" : "not_committed";
      metrics.commitOutcomeChecks.inc({ outcome });
      return outcome;
    } catch (err) {
      if (!isDatabaseUnavailable(err) || performance.now() + CHECK_RETRY_MS >= until) {
        metrics.commitOutcomeChecks.inc({ outcome: "unknown" });
        return "unknown";
      }
      await new Promise((r) => setTimeout(r, CHECK_RETRY_MS));
    }
  }
}

/**
 * True when an error from a transaction whose writes (and COMMIT) were already sent leaves its
 * outcome open: the server never answered. A SQL error is an answer (the statement failed, the
 * rest and the COMMIT did not run).
 */
export const outcomeIsOpen = (err: unknown): boolean => isDatabaseUnavailable(err);

/** The answer for a write whose commit could be neither confirmed nor ruled out. */
export function commitOutcomeUnknown(key: string | null, cause: unknown): ServiceError {
  const retry = key
    ? `Retry with the same Idempotency-Key (${key}) and body to learn the outcome; it is never applied twice.`
    : "Reload the flag to see whether it was; send an Idempotency-Key header to make such retries safe.";
  return new ServiceError(
    "commit_outcome_unknown",
    `The database stopped answering while this write was being committed: it may or may not have been saved. ${retry}`,
    { details: { idempotencyKey: key }, cause },
  );
}

const T = tableName(idempotencyKeys);
const C = {
  scope: columnName(idempotencyKeys, "scope"),
  key: columnName(idempotencyKeys, "idemKey"),
  status: columnName(idempotencyKeys, "status"),
};
const INSERT = multiInsert(idempotencyKeys, ["scope", "idemKey", "fingerprint", "status", "response"]);
const FENCE = `INSERT IGNORE INTO ${T} (${C.scope}, ${C.key}, ${C.status}) VALUES (?, ?, ?)`;
const WHO = `SELECT ${C.status} AS status FROM ${T} WHERE ${C.scope} = ? AND ${C.key} = ?`;
