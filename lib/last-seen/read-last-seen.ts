import { inArray } from "drizzle-orm";
import type { Namespace } from "etcd3";
import type { Db } from "../db/client";
import { sdkLastSeen } from "../db/schema";
import { withDeadline } from "../delivery/presence/flag-adoption";
import { cachedPresence } from "../delivery/presence/presence-reader";
import { FLAGS_DIR } from "../etcd/keys";
import type { LastSeen, LastSeenByFlag } from "./last-seen-view";

/**
 * When an SDK client last held a flag, per environment: `live` when a client reporting right now
 * (presence in etcd) has applied the revision that published the flag's document there; else the
 * last flush (flush-last-seen.ts) that saw a client of the flag's namespace at or past that revision;
 * else never (`at: null`). An environment where etcd holds no document for the flag (archived, not
 * published yet) is left out: nothing could have received it there.
 *
 * "Published" is the document key's create revision: a client at or past it received the flag (in
 * its snapshot or as an event). Callers must have checked that the viewer may read the namespaces.
 */
export type { LastSeen, LastSeenByFlag } from "./last-seen-view";

export async function readLastSeen(
  db: Db,
  root: Namespace,
  flags: readonly { namespace: string; key: string }[],
  environments: readonly string[],
): Promise<LastSeenByFlag> {
  const out: LastSeenByFlag = {};
  if (!flags.length || !environments.length) return out;
  const byNs = new Map<string, string[]>();
  // Appended in place: the list's "last seen" sort passes every matching flag (thousands), not a page.
  for (const f of flags) {
    const keys = byNs.get(f.namespace);
    if (keys) keys.push(f.key);
    else byNs.set(f.namespace, [f.key]);
  }
  const namespaceKeys = [...byNs.keys()];
  // One range per (environment, namespace), from the page's smallest to its largest key there.
  const ranges = environments.flatMap((environment) =>
    namespaceKeys.map((namespace) => {
      const keys = byNs.get(namespace)!.sort();
      const dir = `${FLAGS_DIR}${environment}/${namespace}/`;
      return { environment, namespace, start: dir + keys[0], end: `${dir}${keys[keys.length - 1]}\0` };
    }),
  );
  const [created, view, rows] = await withDeadline(
    Promise.all([
      Promise.all(ranges.map((r) => root.getAll().inRange({ start: r.start, end: r.end }).exec())),
      cachedPresence(root),
      db.select().from(sdkLastSeen).where(inArray(sdkLastSeen.namespaceKey, namespaceKeys)),
    ]),
  );
  const createRevision = new Map<string, number>();
  created.forEach((res, i) => {
    const { environment, namespace } = ranges[i]!;
    const dir = `${FLAGS_DIR}${environment}/${namespace}/`;
    for (const kv of res.kvs) {
      const key = kv.key.toString().slice(dir.length);
      createRevision.set(`${environment}/${namespace}/${key}`, Number(kv.create_revision));
    }
  });
  const stored = new Map(rows.map((r) => [`${r.environmentKey}/${r.namespaceKey}`, r]));
  for (const f of flags) {
    const byEnv: Record<string, LastSeen> = {};
    for (const environment of environments) {
      const published = createRevision.get(`${environment}/${f.namespace}/${f.key}`);
      if (published === undefined) continue;
      if (view.countFor(environment, f.namespace, published).atLeast > 0) {
        byEnv[environment] = { at: new Date().toISOString(), live: true };
        continue;
      }
      const row = stored.get(`${environment}/${f.namespace}`);
      byEnv[environment] = { at: row && row.revision >= published ? row.seenAt.toISOString() : null, live: false };
    }
    out[`${f.namespace}/${f.key}`] = byEnv;
  }
  return out;
}
