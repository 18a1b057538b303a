import { and, desc, eq, gte, inArray, like, lt, type SQL } from "drizzle-orm";
import type { z } from "zod";
import type { Actor } from "../../auth/actor";
import { can } from "../../auth/permissions";
import { auditEvents } from "../../db/schema";
import { forbidden } from "../../errors/service-error";
import type { ServiceContext } from "../context";
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

export async function selectAuditPage(ctx: ServiceContext, where: SQL | undefined, limit: number): Promise<AuditRow[]> {
  return ctx.db.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(limit);
}

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
