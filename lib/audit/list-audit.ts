import { assertCan } from "../auth/permissions";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { auditWhere, beforeId, nextCursorOf, selectAuditPage, toAuditView } from "./audit-query";
import { FlagHistoryPageSchema, ListAuditSchema, type AuditEventView } from "./schemas";

export interface AuditEventPage {
  events: AuditEventView[];
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: number | null;
}

/**
 * The audit history, newest first, filtered to what the actor may read, with keyset pagination on the
 * event id (page N costs what page 1 costs). A page holds at most `limit` events and stops early at
 * the byte budget of audit-query.ts, so large values cannot make one response huge.
 */
export async function listAuditEvents({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<AuditEventPage> {
  const data = parseInput(ListAuditSchema, input);
  if (data.namespace) assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const page = await selectAuditPage(ctx, auditWhere(ctx, data, [beforeId(data.cursor)]), data.limit);
  return { events: page.rows.map(toAuditView), nextCursor: nextCursorOf(page) };
}

/**
 * Every audited change of one flag (its definition and its values in all environments), newest
 * first, one bounded page at a time (same paging as the list).
 */
export async function getFlagHistory({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<AuditEventPage> {
  const data = parseInput(FlagHistoryPageSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const page = await selectAuditPage(ctx, auditWhere(ctx, { namespace: data.namespace, flag: data.key }, [beforeId(data.cursor)]), data.limit);
  return { events: page.rows.map(toAuditView), nextCursor: nextCursorOf(page) };
}
