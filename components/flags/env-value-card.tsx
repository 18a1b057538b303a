"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { setFlagValueAction } from "@/lib/actions/flag-actions";
import type { FlagAdoption } from "@/lib/delivery/flag-adoption";
import type { FlagView } from "@/lib/services/flags/schemas";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { ValueEditor, type Draft } from "../value-editor";
import { AdoptionLine } from "./client-adoption";

type Current = FlagView["values"][string];

const INLINE = ["conflict" as const];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One environment's value: shown, edited with the type's editor, reviewed as a diff, then saved with
 * the version it was based on, so a concurrent change by someone else is reported (409), not lost.
 */
export function EnvValueCard({ flag, environment, current, canWrite, adoption }: { flag: FlagView; environment: { key: string; name: string }; current: Current; canWrite: boolean; adoption?: FlagAdoption | null }) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>({ ok: true, value: current.value });
  const [reviewing, setReviewing] = useState(false);
  const [reason, setReason] = useState("");
  const { run, pending, result, reset } = useServerAction(setFlagValueAction, { inlineCodes: INLINE });
  const changed = draft.ok && !same(draft.value, current.value);
  const conflict = result && !result.ok && result.code === "conflict" ? result : null;
  const titleId = `env-${environment.key}-title`;

  return (
    <section className="env-card" aria-labelledby={titleId} data-testid={`env-${environment.key}`}>
      <header>
        <h3 id={titleId}>{environment.name} <code className="small muted">{environment.key}</code></h3>
        <span className="small muted">v{current.version}</span>
      </header>
      <div className="value-box" aria-label={`Current value in ${environment.key}`}>
        <pre data-testid="current-value">{JSON.stringify(current.value, null, 2)}</pre>
      </div>
      <p className="small muted">Updated <time dateTime={current.updatedAt}>{current.updatedAt.replace("T", " ").slice(0, 19)} UTC</time></p>
      <AdoptionLine adoption={adoption} />
      {canWrite ? (
        <>
          <ValueEditor type={flag.type} initial={current.value} label={`New value in ${environment.key}`} onChange={(d) => { setDraft(d); setReviewing(false); reset(); }} disabled={pending} />
          {!reviewing ? (
            <div className="row">
              <button type="button" className="primary" disabled={!changed} onClick={() => setReviewing(true)}>
                Review change
              </button>
              {!changed && draft.ok && <span className="small muted">Change the value to save it.</span>}
            </div>
          ) : (
            <div className="stack" role="group" aria-label={`Review the change in ${environment.key}`}>
              <JsonDiff before={current.value} after={draft.ok ? draft.value : undefined} beforeLabel={`Now (v${current.version})`} afterLabel="After saving" />
              <div className="field">
                <label htmlFor={`reason-${environment.key}`}>Reason (optional, recorded in the audit history)</label>
                <input id={`reason-${environment.key}`} type="text" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
              </div>
              <div className="row">
                <button
                  type="button"
                  className="primary"
                  disabled={pending || !changed}
                  onClick={() => run({ namespace: flag.namespace, key: flag.key, environment: environment.key, value: draft.ok ? draft.value : null, expectedVersion: current.version, reason })}
                >
                  {pending ? "Saving…" : "Save change"}
                </button>
                <button type="button" onClick={() => setReviewing(false)} disabled={pending}>Back to editing</button>
              </div>
            </div>
          )}
          {conflict && (
            <div className="alert warn" role="alert">
              <p style={{ marginTop: 0 }}>
                <strong>Someone else changed this value first.</strong> {conflict.message}
              </p>
              {conflict.details && "current" in conflict.details && (
                <p>Their value: <code>{JSON.stringify(conflict.details.current)}</code></p>
              )}
              <button type="button" onClick={() => router.refresh()}>Load the latest value</button>
            </div>
          )}
        </>
      ) : (
        <p className="small muted">{flag.archived ? "Archived flags cannot be changed; restore it first." : "Read-only for your role."}</p>
      )}
    </section>
  );
}
