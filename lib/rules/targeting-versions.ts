import { eq, type SQL } from "drizzle-orm";
import { assertCan } from "../auth/permissions";
import { auditEvents } from "../db/schema";
import type { ServiceContext } from "../core/context";
import { auditWhere } from "../audit/audit-query";
import { findAuditedVersion, listAuditedVersions } from "../audit/audited-versions";
import type { AuditEventView } from "../audit/schemas";
import { parseInput } from "../validation/parse";
import { TargetingVersionsSchema, type TargetingVersion } from "./schemas";

/** The action setTargeting audits (a rules rollback is a rules save, so it is one too). */
export const TARGETING_ACTION = "flag_targeting.set";

type Snapshot = { targeting: Record<string, unknown>; version: number };
const isSnapshot = (v: unknown): v is Snapshot =>
  typeof v === "object" && v !== null && typeof (v as Snapshot).version === "number" && typeof (v as Snapshot).targeting === "object" && (v as Snapshot).targeting !== null;

const rulesEvents = (ctx: ServiceContext, namespace: string, key: string, environment: string) => (extra: SQL | undefined) =>
  auditWhere(ctx, { namespace, flag: key, environment }, [eq(auditEvents.action, TARGETING_ACTION), extra]);

function versionOf(e: AuditEventView, side: unknown): TargetingVersion[] {
  if (!isSnapshot(side) || !e.environment) return [];
  return [{ environment: e.environment, version: side.version, targeting: side.targeting, eventId: e.id, action: e.action, actorName: e.actorName, occurredAt: e.occurredAt }];
}

/**
 * The audited rule sets of a flag in one environment, newest first, keyset paged like the value
 * versions. Each rules save created one (its `after`); the last page also offers the rules the
 * oldest save replaced (usually none: `{}`), so a flag can be taken back to having no rules.
 */
export async function listTargetingVersions({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ versions: TargetingVersion[]; nextCursor: number | null }> {
  const data = parseInput(TargetingVersionsSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  return listAuditedVersions(
    ctx,
    rulesEvents(ctx, data.namespace, data.key, data.environment),
    data,
    (e) => versionOf(e, e.after),
    (e) => versionOf(e, e.before),
  );
}

/**
 * The rules in force at `version`: a save's `after` created them, or a save's `before` recorded them
 * (a value change bumps the shared version without touching the rules, so a save may start from a
 * version no rules save created). Null when no rules save recorded that version.
 */
export function findTargetingVersion(ctx: ServiceContext, namespace: string, key: string, environment: string, version: number): Promise<TargetingVersion | null> {
  return findAuditedVersion(ctx, rulesEvents(ctx, namespace, key, environment), (e) =>
    [...versionOf(e, e.after), ...versionOf(e, e.before)].find((v) => v.version === version),
  );
}
