"use client";

import { useState } from "react";
import type { VersionPage } from "@/lib/audit/audited-versions";
import type { SegmentVersion, SegmentView } from "@/lib/segments/schemas";
import { rollbackSegmentAction } from "@/lib/segments/server-actions";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { useVersionPages } from "../use-version-pages";
import { VersionRollback, versionWhen } from "../version-rollback";

const shape = (s: { name: string | null; constraints: unknown[] }) => ({ name: s.name, constraints: s.constraints });

/**
 * Segment rollback (issue 14), like the value's rollback panel: pick an earlier audited version, see
 * the diff of name and conditions from today's, confirm. Saved as a new version based on the one shown
 * (a concurrent change is refused); every flag using the segment changes with it, in every environment.
 */
export function SegmentRollback({ s, firstPage }: { s: SegmentView; firstPage: VersionPage<SegmentVersion> }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const { run, pending, result } = useServerAction(rollbackSegmentAction);
  const { versions, older } = useVersionPages(
    ["segment", s.namespace, s.key, s.version],
    firstPage,
    `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/segments/${encodeURIComponent(s.key)}/versions`,
  );
  const options = versions.filter((v) => v.version < s.version);
  return (
    <details className="stack" data-testid={`segment-rollback-${s.key}`}>
      <summary>Roll back segment {s.key}</summary>
      <VersionRollback
        id={`srb-${s.key}`}
        versions={options}
        older={older}
        chosen={options.find((v) => v.version === chosen) ?? null}
        onChoose={setChosen}
        label={(v) => `v${v.version}: ${v.constraints.length} condition(s)${v.name ? `, “${v.name}”` : ""} · ${versionWhen(v)}`}
        diff={(v) => <JsonDiff before={shape(s)} after={shape(v)} beforeLabel={`Now (v${s.version})`} afterLabel={`Version ${v.version}`} />}
        confirmLabel={(v) => `Roll back segment ${s.key} to v${v.version}`}
        pending={pending}
        error={result && !result.ok ? result.message : null}
        onConfirm={async (v, reason) => {
          const r = await run({ namespace: s.namespace, segmentKey: s.key, toVersion: v.version, expectedVersion: s.version, ...(reason ? { reason } : {}) });
          if (r.ok) setChosen(null);
        }}
      />
    </details>
  );
}
