import { assertCan } from "../../auth/permissions";
import { parseInput } from "../../validation/parse";
import type { ServiceContext } from "../context";
import { auditWhere, beforeId, selectAuditPage, toAuditView } from "./audit-query";
import { FlagHistorySchema, ListAuditSchema, type AuditEventView } from "./schemas";

/**
 * The audit history, newest first, filtered to what the actor may read, with keyset pagination on the
 * event id (page N costs what page 1 costs).
 */
export async function listAuditEvents({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ events: AuditEventView[]; nextCursor: number | null }> {
  const data = parseInput(ListAuditSchema, input);
  if (data.namespace) assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const rows = await selectAuditPage(ctx, auditWhere(ctx, data, [beforeId(data.cursor)]), data.limit + 1);
  const page = rows.slice(0, data.limit);
  return { events: page.map(toAuditView), nextCursor: rows.length > data.limit ? (page[page.length - 1]?.id ?? null) : null };
}

/** Every audited change of one flag (its definition and its values in all environments), newest first. */
export async function getFlagHistory({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<AuditEventView[]> {
  const data = parseInput(FlagHistorySchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const rows = await selectAuditPage(ctx, auditWhere(ctx, { namespace: data.namespace, flag: data.key }), FLAG_HISTORY_LIMIT);
  return rows.map(toAuditView);
}

/** Flag histories are read whole; a flag with more changes than this shows its most recent ones. */
export const FLAG_HISTORY_LIMIT = 5000;
