import { eq, type SQL } from "drizzle-orm";
import { environments, flags, namespaces } from "../db/schema";
import { getEtcd } from "../etcd/client";
import { latestSighting, type LastSeenByFlag } from "../last-seen/last-seen-view";
import { readLastSeen } from "../last-seen/read-last-seen";
import type { ServiceContext } from "../core/context";

export interface SeenOrder {
  /** Every matching flag's id, in the requested "last seen" order. */
  ids: number[];
  /** The sightings the order was computed from (null: etcd did not answer). */
  lastSeen: LastSeenByFlag | null;
}

/**
 * The flag list's "last seen" order over ALL flags matching `where` (not one page): a sighting is
 * not a column (it joins etcd's create revisions, the SDKs' live presence and the flushed
 * sdk_last_seen rows, read-last-seen.ts), so it is computed for every match and sorted here; the
 * caller pages over the ids. A flag held by a reporting client counts as seen now. Flags never seen
 * (or served nowhere) sort last in both directions, like SQL's NULLS LAST; ties by namespace and
 * key in the same direction as the list's other sorts. When etcd does not answer, no flag has a
 * sighting and the order is namespace and key.
 */
export async function flagIdsBySighting(ctx: ServiceContext, where: SQL | undefined, dir: "asc" | "desc"): Promise<SeenOrder> {
  const [rows, envs] = await Promise.all([
    ctx.db
      .select({ id: flags.id, key: flags.key, namespace: namespaces.key })
      .from(flags)
      .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
      .where(where),
    ctx.db.select({ key: environments.key }).from(environments),
  ]);
  const lastSeen = await readLastSeen(ctx.db, getEtcd().root, rows, envs.map((e) => e.key)).catch(() => null);
  const rank = new Map<number, number | null>();
  for (const r of rows) {
    const s = latestSighting(lastSeen?.[`${r.namespace}/${r.key}`]);
    rank.set(r.id, !s ? null : s.live ? Number.POSITIVE_INFINITY : s.at ? Date.parse(s.at) : null);
  }
  const sign = dir === "desc" ? -1 : 1;
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort((a, b) => {
    const ra = rank.get(a.id)!;
    const rb = rank.get(b.id)!;
    if (ra === null || rb === null) {
      if (ra !== rb) return ra === null ? 1 : -1;
    } else if (ra !== rb) return sign * (ra < rb ? -1 : 1);
    return sign * (text(a.namespace, b.namespace) || text(a.key, b.key));
  });
  return { ids: rows.map((r) => r.id), lastSeen };
}
