import type { Namespace } from "etcd3";
import { z } from "zod";
import { PRESENCE_DIR } from "../../etcd/keys";
import { scopeGroupNamespaces } from "./client-presence";

/**
 * Reads every process's presence summary (presence/{processId}, written by presence-publisher.ts)
 * and merges them: "of the SDK clients that can see namespace NS in environment E (M), how many
 * have applied revision R or later (N)?". A summary that does not parse is skipped (a newer
 * process's format, or damage), never guessed at.
 */
const SummarySchema = z.object({
  v: z.literal(1),
  envs: z.record(z.string(), z.record(z.string(), z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])))),
});

export interface ScopeGroup {
  environment: string;
  /** null: every namespace of the environment. */
  namespaces: readonly string[] | null;
  /** [revision, clients], highest revision first. */
  revisions: readonly (readonly [number, number])[];
}

export interface ClientCount {
  /** M: clients whose scope covers the namespace(s) asked about. */
  total: number;
  /** N: those of them at the revision asked about or later. */
  atLeast: number;
}

export class PresenceView {
  constructor(
    readonly groups: readonly ScopeGroup[],
    /** How many processes published a summary. */
    readonly processes: number,
  ) {}

  /** M and N for one namespace of one environment at revision R (`minRevision`). */
  countFor(environment: string, namespace: string, minRevision: number): ClientCount {
    const out = { total: 0, atLeast: 0 };
    for (const g of this.groups) {
      if (g.environment !== environment || (g.namespaces !== null && !g.namespaces.includes(namespace))) continue;
      add(out, g.revisions, minRevision);
    }
    return out;
  }

  /**
   * Per environment, for a viewer who may see only `visible` namespaces (null: all): clients whose
   * scope covers at least one of them, and how many of those are current, i.e. at or past
   * `lastChange(environment, namespaces)` for the namespaces of their scope the viewer may see.
   * Neither figure depends on anything in a namespace the viewer cannot see.
   */
  byEnvironment(
    visible: ReadonlySet<string> | null,
    lastChange: (environment: string, namespaces: readonly string[] | null) => number,
  ): { environment: string; clients: number; current: number }[] {
    const envs = new Map<string, ClientCount>();
    for (const g of this.groups) {
      const seen = visible === null ? g.namespaces : g.namespaces === null ? [...visible] : g.namespaces.filter((ns) => visible.has(ns));
      if (seen !== null && seen.length === 0) continue;
      let out = envs.get(g.environment);
      if (!out) envs.set(g.environment, (out = { total: 0, atLeast: 0 }));
      add(out, g.revisions, lastChange(g.environment, seen));
    }
    return [...envs]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([environment, c]) => ({ environment, clients: c.total, current: c.atLeast }));
  }
}

function add(out: ClientCount, revisions: ScopeGroup["revisions"], minRevision: number): void {
  for (const [rev, n] of revisions) {
    out.total += n;
    if (rev >= minRevision) out.atLeast += n;
  }
}

/**
 * Only plausible reports count: a revision above etcd's revision at the time of this read names a
 * change nobody has published (reporting processes clamp reports, client-report.ts; this also holds
 * against a summary written by anything else), so its clients count in neither M nor N. Recency is
 * the table's: a client silent for 25 s has left its process's summary within one publish tick.
 */
export async function readPresence(root: Namespace): Promise<PresenceView> {
  const res = await root.getAll().prefix(PRESENCE_DIR).exec();
  const published = Number(res.header.revision);
  const merged = new Map<string, Map<string, Map<number, number>>>();
  let processes = 0;
  for (const kv of res.kvs) {
    let parsed: z.infer<typeof SummarySchema>;
    try {
      parsed = SummarySchema.parse(JSON.parse(kv.value.toString()));
    } catch {
      continue;
    }
    processes++;
    for (const [environment, scopes] of Object.entries(parsed.envs)) {
      let env = merged.get(environment);
      if (!env) merged.set(environment, (env = new Map()));
      for (const [scope, pairs] of Object.entries(scopes)) {
        let group = env.get(scope);
        if (!group) env.set(scope, (group = new Map()));
        for (const [rev, n] of pairs) if (rev <= published) group.set(rev, (group.get(rev) ?? 0) + n);
      }
    }
  }
  const groups: ScopeGroup[] = [];
  for (const [environment, env] of merged) {
    for (const [scope, counts] of env) {
      groups.push({ environment, namespaces: scopeGroupNamespaces(scope), revisions: [...counts].sort((a, b) => b[0] - a[0]) });
    }
  }
  return new PresenceView(groups, processes);
}

/**
 * readPresence shared for `maxAgeMs` by every caller in the process (console pages poll it every
 * few seconds per viewer; one etcd range serves them all).
 */
const cache = new WeakMap<Namespace, { at: number; view: Promise<PresenceView> }>();

export function cachedPresence(root: Namespace, maxAgeMs = 1_000): Promise<PresenceView> {
  const hit = cache.get(root);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.view;
  const view = readPresence(root);
  cache.set(root, { at: Date.now(), view });
  // A failed read is not kept: the next caller tries again.
  view.catch(() => cache.get(root)?.view === view && cache.delete(root));
  return view;
}
