import { and, desc, eq, gte, inArray, like, lt, sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { auditEvents } from "../db/schema";
import { forbidden } from "../errors/service-error";
import type { ServiceContext } from "../core/context";
import type { AuditEventView, AuditFilterSchema } from "./schemas";

type AuditRow = typeof auditEvents.$inferSelect;
const RANK = { viewer: 1, reviewer: 2, editor: 3, admin: 4 } as const;

/**
 * Which audit rows an actor may read. Super-admins and holders of a reviewer-or-better role over every
 * namespace read everything (including system-wide events such as users and environments); anyone else
 * reads events of the namespaces where they are reviewer or better, and nothing without a namespace.
 * Returns null for "no restriction"; throws when the actor may read no audit history at all.
 */
export function auditVisibility(actor: Actor): SQL | null {
  if (actor.isSuperAdmin || actor.grants.some((g) => g.namespaceKey === null && RANK[g.role] >= RANK.reviewer)) return null;
  const keys = actor.grants
    .map((g) => g.namespaceKey)
    .filter((k): k is string => k !== null && can(actor, "audit:read", { namespaceKey: k }));
  if (!keys.length) throw forbidden("Your role does not allow reading the audit history (reviewer or higher is needed)");
  return inArray(auditEvents.namespaceKey, [...new Set(keys)]);
}

/** A date alone as the end of a range means "through that day". */
function endOf(to: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : new Date(to);
}

export function auditWhere(ctx: ServiceContext, f: z.output<typeof AuditFilterSchema>, extra: (SQL | undefined)[] = []): SQL | undefined {
  const where: (SQL | undefined)[] = [auditVisibility(ctx.actor) ?? undefined, ...extra];
  if (f.namespace) where.push(eq(auditEvents.namespaceKey, f.namespace));
  if (f.environment) where.push(eq(auditEvents.environmentKey, f.environment));
  if (f.flag) where.push(eq(auditEvents.flagKey, f.flag));
  if (f.actor) where.push(like(auditEvents.actorName, `${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (f.action) where.push(f.action.endsWith(".") ? like(auditEvents.action, `${f.action.replace(/_/g, "\\_")}%`) : eq(auditEvents.action, f.action));
  if (f.from) where.push(gte(auditEvents.occurredAt, new Date(f.from)));
  if (f.to) where.push(lt(auditEvents.occurredAt, endOf(f.to)));
  return and(...where);
}

/**
 * Bytes of serialised audit data one page may carry (before/after snapshots hold values of up to
 * 32 KiB per environment, so a row count alone does not bound a page's memory).
 */
export const AUDIT_PAGE_BYTES = 2 * 1024 * 1024;

/** What a row costs besides its snapshots and reason (ids, names, dates), for the byte budget. */
const ROW_OVERHEAD_BYTES = 512;

const rowBytes = sql<number>`coalesce(length(${auditEvents.before}), 0) + coalesce(length(${auditEvents.after}), 0) + coalesce(length(${auditEvents.reason}), 0)`;

export interface AuditPage {
  rows: AuditRow[];
  /** Rows matching `where` remain after the last one (the page stopped at its size or byte budget). */
  more: boolean;
}

/**
 * One keyset page, newest first: at most `limit` rows and, past the first row, at most `maxBytes`
 * of stored data. Sizes are read first (ids and lengths only, in batches that grow from a few
 * rows, so the database measures about as many rows as the page returns), and rows beyond the
 * budget never reach this process; the page then loads exactly the ids that fit. A single row
 * larger than the budget still forms a page, so paging always moves on.
 */
export async function selectAuditPage(ctx: ServiceContext, where: SQL | undefined, limit: number, maxBytes = AUDIT_PAGE_BYTES): Promise<AuditPage> {
  const ids: number[] = [];
  let bytes = 0;
  let more = false;
  let batch = FIRST_SIZE_BATCH;
  for (let after: number | undefined; !more && ids.length < limit; batch *= 2) {
    const want = Math.min(batch, limit - ids.length) + 1;
    const sizes = await ctx.db
      .select({ id: auditEvents.id, bytes: rowBytes })
      .from(auditEvents)
      .where(and(where, after === undefined ? undefined : lt(auditEvents.id, after)))
      .orderBy(desc(auditEvents.id))
      .limit(want);
    for (const s of sizes.slice(0, want - 1)) {
      const next = bytes + Number(s.bytes) + ROW_OVERHEAD_BYTES;
      if (ids.length && next > maxBytes) {
        more = true;
        break;
      }
      ids.push(s.id);
      bytes = next;
    }
    if (sizes.length < want) break;
    if (ids.length >= limit) more = true;
    after = ids[ids.length - 1];
  }
  if (!ids.length) return { rows: [], more: false };
  const rows = await ctx.db.select().from(auditEvents).where(inArray(auditEvents.id, ids)).orderBy(desc(auditEvents.id));
  return { rows, more };
}

const FIRST_SIZE_BATCH = 16;

/** The cursor that continues after `page` (the last row's id), or null at the end of the history. */
export const nextCursorOf = (page: AuditPage): number | null => (page.more ? (page.rows[page.rows.length - 1]?.id ?? null) : null);

export const beforeId = (cursor: number | undefined) => (cursor ? lt(auditEvents.id, cursor) : undefined);

export function toAuditView(r: AuditRow): AuditEventView {
  return {
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    actorName: r.actorName,
    ip: r.ip,
    traceId: r.traceId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    namespace: r.namespaceKey,
    environment: r.environmentKey,
    flag: r.flagKey,
    before: r.before ?? null,
    after: r.after ?? null,
    reason: r.reason,
  };
}
