import { and, eq, isNull, type SQL } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { auditEvents, namespaces, segments } from "../db/schema";
import type { ServiceContext } from "../core/context";
import { auditWhere } from "../audit/audit-query";
import { findAuditedVersion, listAuditedVersions } from "../audit/audited-versions";
import type { AuditEventView } from "../audit/schemas";
import { parseInput } from "../validation/parse";
import { SegmentVersionsSchema, type SegmentVersion, type SegmentView } from "./schemas";
import { segmentNotFound } from "./segment-state";

/**
 * A segment's versions come from its audit rows (`segment.create` / `segment.update` record the
 * whole segment in `after`; a delete records null). The rows name the segment by its id, which a
 * soft delete and a re-create keep, so one history spans them, as the version sequence does.
 * The read goes by (target_type, target_id, id) (audit_target_idx): newest first, one entity's rows
 * only, however many other events its namespace has.
 */
async function segmentEvents(ctx: ServiceContext, namespace: string, segmentKey: string): Promise<(extra: SQL | undefined) => SQL | undefined> {
  const [row] = await ctx.db
    .select({ id: segments.id })
    .from(segments)
    .innerJoin(namespaces, eq(namespaces.id, segments.namespaceId))
    .where(and(eq(namespaces.key, namespace), eq(segments.key, segmentKey)));
  if (!row) throw segmentNotFound(namespace, segmentKey);
  return (extra) => auditWhere(ctx, { namespace }, [eq(auditEvents.targetType, "segment"), eq(auditEvents.targetId, row.id), isNull(auditEvents.flagKey), extra]);
}

function versionOf(e: AuditEventView): SegmentVersion[] {
  const s = e.after as SegmentView | null;
  if (!s || typeof s !== "object" || typeof s.version !== "number" || !Array.isArray(s.constraints)) return [];
  return [{ version: s.version, name: s.name ?? null, constraints: s.constraints, eventId: e.id, action: e.action, actorName: e.actorName, occurredAt: e.occurredAt }];
}

/** A segment's audited versions, newest first, keyset paged like a flag's value versions. */
export async function listSegmentVersions({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ versions: SegmentVersion[]; nextCursor: number | null }> {
  const data = parseInput(SegmentVersionsSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  return listAuditedVersions(ctx, await segmentEvents(ctx, data.namespace, data.segmentKey), data, versionOf);
}

/** The audited version `version` of a segment, or null when no event created it. */
export async function findSegmentVersion(ctx: ServiceContext, namespace: string, segmentKey: string, version: number): Promise<SegmentVersion | null> {
  return findAuditedVersion(ctx, await segmentEvents(ctx, namespace, segmentKey), (e) => versionOf(e).find((v) => v.version === version));
}
