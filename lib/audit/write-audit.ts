import type { Actor, RequestMeta } from "../auth/actor";
import type { Tx } from "../db/client";
import { jsonParam, multiInsert, type RawStatement } from "../db/raw-sql";
import { auditEvents } from "../db/schema";

export interface AuditEntry {
  action: string;
  targetType: "flag" | "flag_value" | "segment" | "namespace" | "environment" | "sdk_key" | "api_token" | "user" | "outbox";
  targetId?: number | null;
  namespaceKey?: string | null;
  environmentKey?: string | null;
  flagKey?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * Writes an audit row. It takes the caller's transaction on purpose: the audit row commits or rolls
 * back with the change it describes ("fail closed").
 */
export async function writeAudit(tx: Tx, actor: Actor, meta: RequestMeta | undefined, entry: AuditEntry): Promise<void> {
  await tx.insert(auditEvents).values(auditRow(actor, meta, entry));
}

function auditRow(actor: Actor, meta: RequestMeta | undefined, entry: AuditEntry): typeof auditEvents.$inferInsert {
  return {
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    ip: meta?.ip ?? null,
    traceId: meta?.traceId ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    namespaceKey: entry.namespaceKey ?? null,
    environmentKey: entry.environmentKey ?? null,
    flagKey: entry.flagKey ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    reason: entry.reason || null,
  };
}

export type AuditRowInput = { actor: Actor; meta: RequestMeta | undefined; entry: AuditEntry };

/**
 * Several audit rows (each with its own actor and request) as one INSERT, plain SQL (see
 * db/raw-sql.ts), for the group commit to send with its other statements.
 */
export function auditInsert(rows: AuditRowInput[]): RawStatement {
  const values = rows.map(({ actor, meta, entry }) => {
    const r = auditRow(actor, meta, entry);
    return AUDIT_COLUMNS.map((c) => (c === "before" || c === "after" ? jsonParam(r[c]) : (r[c] ?? null)));
  });
  return { sql: INSERT_AUDIT, params: [values] };
}

const AUDIT_COLUMNS = [
  "actorType",
  "actorId",
  "actorName",
  "ip",
  "traceId",
  "action",
  "targetType",
  "targetId",
  "namespaceKey",
  "environmentKey",
  "flagKey",
  "before",
  "after",
  "reason",
] as const;
const INSERT_AUDIT = multiInsert(auditEvents, [...AUDIT_COLUMNS]);
