import type { SQL } from "drizzle-orm";
import type { ServiceContext } from "../core/context";
import { beforeId, nextCursorOf, selectAuditPage, toAuditView } from "./audit-query";
import type { AuditEventView } from "./schemas";

/** Versions of values a page may carry (same order as the history page budget). */
export const VERSION_PAGE_BYTES = 2 * 1024 * 1024;
const EVENTS_PER_READ = 200;

/** One page of versions, newest first; `nextCursor` (an audit event id) continues it, null at the end. */
export interface VersionPage<V> {
  versions: V[];
  nextCursor: number | null;
}

/**
 * The versions of one audited thing (a flag's rules in one environment, a segment) that rollback can
 * restore, newest event first, a page at a time: the same keyset paging as the value versions
 * (value-versions.ts). `created(e)` says which versions event `e` created; an event's versions stay
 * on one page (the cursor is an event id), and a page ends before `limit` versions or `maxBytes` of
 * snapshots would be passed, so a long history of large rule sets is never in memory at once.
 * `initial(e)` may add, once the oldest matching event is reached, the state that event started
 * from (the rules a flag had before its first rule change), which no event created but can be restored.
 */
export async function listAuditedVersions<V>(
  ctx: ServiceContext,
  where: (extra: SQL | undefined) => SQL | undefined,
  page: { cursor?: number; limit: number },
  created: (e: AuditEventView) => V[],
  initial: (e: AuditEventView) => V[] = () => [],
  maxBytes = VERSION_PAGE_BYTES,
): Promise<VersionPage<V>> {
  const versions: V[] = [];
  let bytes = 0;
  let cursor: number | null = page.cursor ?? null;
  let oldest: AuditEventView | null = null;
  do {
    const read = await selectAuditPage(ctx, where(beforeId(cursor ?? undefined)), EVENTS_PER_READ);
    for (const row of read.rows) {
      const e = toAuditView(row);
      const found = created(e);
      const size = found.reduce((n, v) => n + (JSON.stringify(v)?.length ?? 4) + 64, 0);
      if (versions.length && (versions.length + found.length > page.limit || bytes + size > maxBytes)) return { versions, nextCursor: cursor };
      versions.push(...found);
      bytes += size;
      cursor = row.id;
      oldest = e;
    }
    cursor = nextCursorOf(read);
  } while (cursor !== null);
  if (oldest) versions.push(...initial(oldest));
  return { versions, nextCursor: null };
}

/**
 * The first version `pick` finds in the history matching `where`, newest event first, read page by
 * page (memory stays at one page however long the history is); null when no event recorded it.
 */
export async function findAuditedVersion<V>(
  ctx: ServiceContext,
  where: (extra: SQL | undefined) => SQL | undefined,
  pick: (e: AuditEventView) => V | undefined,
): Promise<V | null> {
  let cursor: number | undefined;
  for (;;) {
    const read = await selectAuditPage(ctx, where(beforeId(cursor)), EVENTS_PER_READ);
    for (const row of read.rows) {
      const hit = pick(toAuditView(row));
      if (hit !== undefined) return hit;
    }
    const next = nextCursorOf(read);
    if (next === null) return null;
    cursor = next;
  }
}
