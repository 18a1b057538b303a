"use client";

import { useState } from "react";
import type { VersionPage } from "@/lib/audit/audited-versions";
import type { TargetingVersion, TargetingView } from "@/lib/rules/schemas";
import { rollbackTargetingAction } from "@/lib/rules/server-actions";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { useVersionPages } from "../use-version-pages";
import { VersionRollback, versionWhen } from "../version-rollback";

const ruleCount = (t: Record<string, unknown>) => (Array.isArray(t.rules) ? t.rules.length : 0);

/**
 * Rules rollback for one environment (issue 14), like the value's rollback panel: pick an earlier
 * audited rule set, see the diff from today's rules, confirm. Saved as a new version based on the one
 * shown here (a concurrent change is refused, nothing lost); the value is left as it is.
 */
export function RulesRollback({ view, firstPage, envName }: { view: TargetingView; firstPage: VersionPage<TargetingVersion>; envName: string }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const { run, pending, result } = useServerAction(rollbackTargetingAction);
  const env = view.environment;
  const at = (s: string) => encodeURIComponent(s);
  const { versions, older } = useVersionPages(
    ["rules", view.namespace, view.key, env, view.version],
    firstPage,
    `/api/v1/namespaces/${at(view.namespace)}/flags/${at(view.key)}/environments/${at(env)}/targeting/versions`,
  );
  const options = versions.filter((v) => v.version < view.version);
  const id = `rrb-${env}`;
  return (
    <details className="panel stack" data-testid={`rules-rollback-${env}`}>
      <summary>Roll back the rules of {envName}</summary>
      <VersionRollback
        id={id}
        versions={options}
        older={older}
        chosen={options.find((v) => v.version === chosen) ?? null}
        onChoose={setChosen}
        label={(v) => `v${v.version}: ${ruleCount(v.targeting)} rule(s)${v.targeting.enabled === false ? ", off" : ""} · ${versionWhen(v)}`}
        diff={(v) => <JsonDiff before={view.targeting} after={v.targeting} beforeLabel={`Now (v${view.version})`} afterLabel={`Rules of v${v.version}`} />}
        confirmLabel={(v) => `Roll back the rules of ${env} to v${v.version}`}
        pending={pending}
        error={result && !result.ok ? result.message : null}
        onConfirm={async (v, reason) => {
          const r = await run({ namespace: view.namespace, key: view.key, environment: env, toVersion: v.version, expectedVersion: view.version, ...(reason ? { reason } : {}) });
          if (r.ok) setChosen(null);
        }}
      />
    </details>
  );
}
