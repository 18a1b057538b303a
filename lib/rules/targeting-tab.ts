import { can } from "../auth/permissions";
import type { VersionPage } from "../audit/audited-versions";
import type { ServiceContext } from "../core/context";
import { listFlags } from "../flags/list-flags";
import { listSegments } from "../segments/segment-verbs";
import type { SegmentView } from "../segments/schemas";
import { prerequisiteDrafts } from "./console-model";
import type { TargetingVersion, TargetingView } from "./schemas";
import { getTargeting } from "./targeting-verbs";
import { listTargetingVersions } from "./targeting-versions";

export interface TargetingTabData {
  views: TargetingView[];
  segments: SegmentView[];
  /** Flags a prerequisite may name: the namespace's other live, unarchived flags (what the save accepts). */
  candidates: { key: string; type: string }[];
  /** The saved targeting of every flag this one depends on (transitively), per environment, for the preview. */
  related: TargetingView[];
  /** Per environment, the newest page of audited rule sets (what rollback offers; older pages load on demand); absent without audit:read. */
  versions?: Record<string, VersionPage<TargetingVersion>>;
}

/** The picker lists up to this many flags (one page of listFlags); a namespace with more still saves any key through the admin API. */
const CANDIDATE_LIMIT = 500;
/** Prerequisite chains followed for the preview; deeper chains evaluate as PREREQUISITE_MISSING there (the SDK still follows them). */
const MAX_DEPTH = 10;

/** Rule sets in the first page per environment; the console loads older pages from the admin API on demand. */
const VERSIONS_SHOWN = 50;

/**
 * What the flag page's Targeting tab shows (issue 14): each environment's saved rules, the
 * namespace's segments, the flags a prerequisite may name, and the saved targeting of the flags its
 * prerequisites name (followed transitively), so "Try a context" evaluates prerequisites as an SDK
 * does instead of calling them missing. All read with the caller's rights (flag:read) through the verbs.
 */
export async function loadTargetingTab(ctx: ServiceContext, namespace: string, key: string, environments: string[]): Promise<TargetingTabData> {
  const [views, { segments }, { flags }] = await Promise.all([
    readViews(ctx, namespace, environments.map((environment) => ({ key, environment }))),
    listSegments({ ctx, input: { namespace } }),
    listFlags({ ctx, input: { namespace, archived: false, limit: CANDIDATE_LIMIT } }),
  ]);
  const candidates = flags.filter((f) => f.key !== key).map((f) => ({ key: f.key, type: f.type }));
  const [related, versions] = await Promise.all([readPrerequisites(ctx, namespace, key, views), readVersions(ctx, namespace, key, views)]);
  return { views, segments, candidates, related, ...(versions ? { versions } : {}) };
}

async function readVersions(ctx: ServiceContext, namespace: string, key: string, views: TargetingView[]): Promise<Record<string, VersionPage<TargetingVersion>> | undefined> {
  if (!can(ctx.actor, "audit:read", { namespaceKey: namespace })) return undefined;
  const pages = await Promise.all(views.map((v) => listTargetingVersions({ ctx, input: { namespace, key, environment: v.environment, limit: VERSIONS_SHOWN } })));
  return Object.fromEntries(views.map((v, i) => [v.environment, pages[i]!]));
}

// An environment without a value row (not yet materialised), or a prerequisite flag deleted since,
// is left out rather than failing the page; the preview then reports it as missing, as an SDK would.
async function readViews(ctx: ServiceContext, namespace: string, refs: { key: string; environment: string }[]): Promise<TargetingView[]> {
  const found = await Promise.all(refs.map((r) => getTargeting({ ctx, input: { namespace, ...r } }).catch(() => null)));
  return found.filter((v): v is TargetingView => v !== null);
}

async function readPrerequisites(ctx: ServiceContext, namespace: string, key: string, views: TargetingView[]): Promise<TargetingView[]> {
  const seen = new Set(views.map((v) => `${v.environment}/${v.key}`));
  const related: TargetingView[] = [];
  let frontier = views;
  for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
    const next = frontier.flatMap((v) =>
      prerequisiteDrafts(v.targeting.prerequisites)
        .map((p) => ({ key: p.flag, environment: v.environment }))
        .filter((r) => r.key !== key && !seen.has(`${r.environment}/${r.key}`) && seen.add(`${r.environment}/${r.key}`)),
    );
    frontier = await readViews(ctx, namespace, next);
    related.push(...frontier);
  }
  return related;
}
