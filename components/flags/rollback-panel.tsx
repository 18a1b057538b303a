"use client";

import { useEffect, useRef, useState } from "react";
import { rollbackFlagValueAction } from "@/lib/actions/flag-actions";
import type { ValueVersion } from "@/lib/services/audit/schemas";
import type { FlagView } from "@/lib/services/flags/schemas";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";

/**
 * Rollback: pick an environment and an earlier version, see the diff from today's value, confirm. It
 * is saved as a new version (audited, published like any change), based on the version shown here.
 */
export function RollbackPanel({ flag, environments, versions, loading, target, onTarget, onDone }: {
  flag: FlagView;
  environments: string[];
  versions: ValueVersion[];
  loading: boolean;
  target: { environment: string; version: number } | null;
  onTarget: (t: { environment: string; version: number } | null) => void;
  onDone: () => void;
}) {
  const [env, setEnv] = useState(target?.environment ?? environments[0]!);
  const [reason, setReason] = useState("");
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
  const chosen = options.find((v) => v.version === (target?.environment === env ? target.version : -1)) ?? null;

  return (
    <section className="panel stack" aria-labelledby="rb-title">
      <h2 id="rb-title" ref={headingRef} tabIndex={-1}>Roll back a value</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="rb-env">Environment</label>
          <select id="rb-env" value={env} onChange={(e) => { setEnv(e.target.value); onTarget(null); }}>
            {environments.map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rb-version">Earlier version</label>
          <select id="rb-version" value={chosen?.version ?? ""} disabled={loading} onChange={(e) => onTarget(e.target.value ? { environment: env, version: Number(e.target.value) } : null)}>
            <option value="">{loading ? "Loading versions…" : options.length ? "Choose a version" : "No earlier versions"}</option>
            {options.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}: {JSON.stringify(v.value).slice(0, 40)} ({v.actorName}, {v.occurredAt.slice(0, 16).replace("T", " ")})
              </option>
            ))}
          </select>
        </div>
      </div>
      {chosen && current && (
        <div className="stack">
          <JsonDiff before={current.value} after={chosen.value} beforeLabel={`Now (v${current.version})`} afterLabel={`Value of v${chosen.version}`} />
          <div className="field">
            <label htmlFor="rb-reason">Reason (optional)</label>
            <input id="rb-reason" type="text" maxLength={900} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          {result && !result.ok && <p className="alert error" role="alert">{result.message}</p>}
          <div>
            <button
              type="button"
              className="primary"
              disabled={pending}
              onClick={async () => {
                const r = await run({ namespace: flag.namespace, key: flag.key, environment: env, toVersion: chosen.version, expectedVersion: current.version, reason });
                if (r.ok) onDone();
              }}
            >
              {pending ? "Rolling back…" : `Roll back ${env} to v${chosen.version}`}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
