import type { Metadata } from "next";
import { SegmentManager } from "@/components/targeting/segment-manager";
import { can } from "@/lib/auth/permissions";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { listSegments } from "@/lib/segments/segment-verbs";
import { listSegmentVersions } from "@/lib/segments/segment-versions";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Segments" };

/** Segments of one namespace (issue 14): reusable sets of conditions that rules refer to by key. */
export default async function SegmentsPage({ searchParams }: { searchParams: Promise<{ namespace?: string }> }) {
  const ctx = await requireConsoleContext("/segments");
  const namespaces = await listNamespaces({ ctx });
  const { namespace: asked } = await searchParams;
  const namespace = namespaces.find((n) => n.key === asked)?.key ?? namespaces[0]?.key;
  const segments = namespace ? (await listSegments({ ctx, input: { namespace } })).segments : [];
  const canWrite = namespace !== undefined && can(ctx.actor, "flag:write", { namespaceKey: namespace, everyEnvironment: true });
  // Rollback needs both rights; its choices start with each segment's newest page of audited versions
  // (the rollback loads older pages from the admin API on demand).
  const versions =
    namespace && canWrite && can(ctx.actor, "audit:read", { namespaceKey: namespace })
      ? Object.fromEntries(await Promise.all(segments.map(async (s) => [s.key, await listSegmentVersions({ ctx, input: { namespace, segmentKey: s.key, limit: 20 } })] as const)))
      : undefined;
  return (
    <>
      <h1>Segments</h1>
      <p className="muted">A segment is a named set of conditions (for example “beta testers”) that rules of every flag in its namespace can use. It is served in every environment.</p>
      {namespaces.length === 0 ? (
        <p className="empty">You have no namespace yet.</p>
      ) : (
        <>
          <form method="get" className="row" aria-label="Choose a namespace">
            <label htmlFor="segments-ns">Namespace</label>
            <select id="segments-ns" name="namespace" defaultValue={namespace} style={{ width: "auto" }}>
              {namespaces.map((n) => <option key={n.key} value={n.key}>{n.key}</option>)}
            </select>
            <button type="submit">Show</button>
          </form>
          {namespace && (
            <SegmentManager
              key={namespace}
              namespace={namespace}
              segments={segments}
              canWrite={canWrite}
              versions={versions}
            />
          )}
        </>
      )}
    </>
  );
}
