"use client";

import type { FlagType } from "@/lib/db/schema/flags";
import type { TargetingView } from "@/lib/rules/schemas";
import type { SegmentView } from "@/lib/segments/schemas";
import type { TargetingTabData } from "@/lib/rules/targeting-tab";
import { RulesRollback } from "./rules-rollback";
import { TargetingEditor } from "./targeting-editor";
import { TryContext } from "./try-context";

/** Variant names per prerequisite flag in one environment, from the targeting the page read. */
function variantsIn(related: TargetingView[], env: string): Record<string, string[]> {
  return Object.fromEntries(related.filter((r) => r.environment === env).map((r) => [r.key, ((r.targeting.variants as { name: string }[] | undefined) ?? []).map((v) => v.name)]));
}

/**
 * The flag page's Targeting tab: the preview on top, then one rule editor per environment, each with
 * its rules rollback for those who may write there and read the history (`versions` is then given).
 */
export function TargetingPanel({ views, segments, candidates, related, versions, type, environments, writeEnv, archived }: TargetingTabData & { type: FlagType; environments: { key: string; name: string }[]; writeEnv: Record<string, boolean>; archived: boolean }) {
  const envName = (key: string) => environments.find((e) => e.key === key)?.name ?? key;
  const keys = segments.map((s: SegmentView) => s.key);
  return (
    <div className="stack">
      <TryContext views={views} segments={segments} related={related} />
      <div className="stack">
        {views.map((v) => {
          const canWrite = Boolean(writeEnv[v.environment]) && !archived;
          const history = versions?.[v.environment];
          return (
            <div key={`${v.environment}@${v.version}`} className="stack">
              <TargetingEditor
                view={v}
                type={type}
                segmentKeys={keys}
                candidates={candidates}
                knownVariants={variantsIn(related, v.environment)}
                envName={envName(v.environment)}
                canWrite={canWrite}
              />
              {canWrite && history && history.versions.some((h) => h.version < v.version) && <RulesRollback view={v} firstPage={history} envName={envName(v.environment)} />}
            </div>
          );
        })}
      </div>
    </div>
  );
}
