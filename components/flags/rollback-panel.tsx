"use client";

import { useEffect, useRef, useState } from "react";
import { rollbackFlagValueAction } from "@/lib/values/server-actions";
import type { ValueVersion } from "@/lib/audit/schemas";
import type { FlagView } from "@/lib/flags/schemas";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import type { OlderVersions } from "../use-version-pages";
import { VersionRollback, versionWhen } from "../version-rollback";

/**
 * Rollback: pick an environment and an earlier version, see the diff from today's value, confirm. It
 * is saved as a new version (audited, published like any change), based on the version shown here.
 */
export function RollbackPanel({ flag, environments, versions, loading, older, target, onTarget, onDone }: {
  flag: FlagView;
  environments: string[];
  versions: ValueVersion[];
  loading: boolean;
  older?: OlderVersions;
  target: { environment: string; version: number } | null;
  onTarget: (t: { environment: string; version: number } | null) => void;
  onDone: () => void;
}) {
  // Until the user picks one, the environment shown is the first that has something to roll back to,
  // not simply the first one listed (which may have no history at all).
  const [picked, setEnv] = useState<string | null>(target?.environment ?? null);
  const hasHistory = (e: string) => versions.some((v) => v.environment === e && flag.values[e] && v.version < flag.values[e]!.version);
  const env = picked ?? environments.find(hasHistory) ?? environments[0]!;
  const { run, pending, result } = useServerAction(rollbackFlagValueAction);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (target) {
      setEnv(target.environment);
      headingRef.current?.focus();
    }
  }, [target]);
  const current = flag.values[env];
  const options = versions.filter((v) => v.environment === env && current && v.version < current.version);
  // Without a current value there is nothing to compare with, so nothing can be chosen.
  const chosen = (current && options.find((v) => v.version === (target?.environment === env ? target.version : -1))) ?? null;

  return (
    <section className="panel stack" aria-labelledby="rb-title">
      <h2 id="rb-title" ref={headingRef} tabIndex={-1}>Roll back a value</h2>
      <VersionRollback
        id="rb"
        versions={options}
        loading={loading}
        older={older}
        chosen={chosen}
        onChoose={(v) => onTarget(v === null ? null : { environment: env, version: v })}
        label={versionLabel}
        diff={(v) => <JsonDiff before={current!.value} after={v.value} beforeLabel={`Now (v${current!.version})`} afterLabel={`Value of v${v.version}`} />}
        confirmLabel={(v) => `Roll back ${env} to v${v.version}`}
        pending={pending}
        error={result && !result.ok ? result.message : null}
        onConfirm={async (v, reason) => {
          const r = await run({ namespace: flag.namespace, key: flag.key, environment: env, toVersion: v.version, expectedVersion: current!.version, reason });
          if (r.ok) onDone();
        }}
        fields={
          <div className="field">
            <label htmlFor="rb-env">Environment</label>
            <select id="rb-env" value={env} onChange={(e) => { setEnv(e.target.value); onTarget(null); }}>
              {environments.map((e) => <option key={e} value={e}>{e}</option>)}
            </select>
          </div>
        }
      />
    </section>
  );
}

/** Short enough to read whole in the closed select on a phone: version, value, when, who. */
function versionLabel(v: ValueVersion): string {
  const value = JSON.stringify(v.value) ?? "null";
  return `v${v.version}: ${value.length > 24 ? `${value.slice(0, 23)}…` : value} · ${versionWhen(v)}`;
}
