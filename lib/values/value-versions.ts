import { assertCan } from "../auth/permissions";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { auditWhere, beforeId, nextCursorOf, selectAuditPage, toAuditView } from "../audit/audit-query";
import { FlagVersionsSchema, type AuditEventView, type ValueVersion } from "../audit/schemas";

type Snapshot = { value: unknown; version: number };
type Found = { environment: string; snap: Snapshot };

const isSnapshot = (v: unknown): v is Snapshot =>
  typeof v === "object" && v !== null && "version" in v && typeof (v as Snapshot).version === "number" && "value" in v;

/**
 * The (environment, version) -> value pairs one side of an audit event records. A value change
 * records one environment; flag-level changes (create, archive, update...) every environment's value.
 */
function snapshotsOf(e: AuditEventView, side: unknown): Found[] {
  if (e.environment) return isSnapshot(side) ? [{ environment: e.environment, snap: side }] : [];
  const values = (side as { values?: Record<string, unknown> } | null)?.values;
  if (!values || typeof values !== "object") return [];
  return Object.entries(values).flatMap(([environment, v]) => (isSnapshot(v) ? [{ environment, snap: v }] : []));
}

/**
 * The versions an event created: those its `after` records and its `before` does not (a change of
 * a flag's description repeats the values untouched). Deciding from the event alone keeps every
 * page independent: a version is listed once, with the event that created it, whichever page that is.
 */
export function versionsCreatedBy(e: AuditEventView): ValueVersion[] {
  const had = new Set(snapshotsOf(e, e.before).map((f) => `${f.environment}@${f.snap.version}`));
  return snapshotsOf(e, e.after)
    .filter((f) => !had.has(`${f.environment}@${f.snap.version}`))
    .map(({ environment, snap }) => ({ environment, version: snap.version, value: snap.value, eventId: e.id, action: e.action, actorName: e.actorName, occurredAt: e.occurredAt }));
}

/** Rough size of a listed version, for the page's byte budget. */
const sizeOf = (v: ValueVersion) => (JSON.stringify(v.value)?.length ?? 4) + 256;

/**
 * The audited versions of a flag's values (what rollback can restore), newest event first, one
 * page at a time: history pages (each bounded by audit-query.ts) are read until the next event's
 * versions would take the page past `limit` versions or `maxBytes` of values (one event's versions
 * always fit an empty page), so a long history of large values is never in memory at once. Pass
 * `nextCursor` (an event id) to continue.
 */
export async function listFlagValueVersions(
  { ctx, input }: { ctx: ServiceContext; input: unknown },
  maxBytes = VERSION_PAGE_BYTES,
): Promise<{ versions: ValueVersion[]; nextCursor: number | null }> {
  const data = parseInput(FlagVersionsSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const versions: ValueVersion[] = [];
  let bytes = 0;
  let cursor: number | null = data.cursor ?? null;
  do {
    const where = auditWhere(ctx, { namespace: data.namespace, flag: data.key }, [beforeId(cursor ?? undefined)]);
    const page = await selectAuditPage(ctx, where, EVENTS_PER_READ);
    for (const row of page.rows) {
      const found = versionsCreatedBy(toAuditView(row)).filter((v) => !data.environment || v.environment === data.environment);
      const size = found.reduce((n, v) => n + sizeOf(v), 0);
      // An event's versions stay on one page (the cursor is an event id); a full page ends before it.
      if (versions.length && (versions.length + found.length > data.limit || bytes + size > maxBytes)) return { versions, nextCursor: cursor };
      versions.push(...found);
      bytes += size;
      cursor = row.id;
    }
    cursor = nextCursorOf(page);
  } while (cursor !== null);
  return { versions, nextCursor: null };
}

/** Versions of values a page may carry (same order as the history page budget). */
export const VERSION_PAGE_BYTES = 2 * 1024 * 1024;
const EVENTS_PER_READ = 200;

/**
 * The audited version `version` of the flag's value in `environment`, found by reading the history
 * page by page (memory stays at one page however long it is); null when no event created it.
 */
export async function findValueVersion(ctx: ServiceContext, namespace: string, key: string, environment: string, version: number): Promise<ValueVersion | null> {
  let cursor: number | undefined;
  for (;;) {
    const page = await selectAuditPage(ctx, auditWhere(ctx, { namespace, flag: key }, [beforeId(cursor)]), EVENTS_PER_READ);
    for (const row of page.rows) {
      const hit = versionsCreatedBy(toAuditView(row)).find((v) => v.environment === environment && v.version === version);
      if (hit) return hit;
    }
    const next = nextCursorOf(page);
    if (next === null) return null;
    cursor = next;
  }
}
