"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { setFlagValueAction } from "@/lib/values/server-actions";
import type { FlagAdoption } from "@/lib/delivery/presence/flag-adoption";
import type { FlagView } from "@/lib/flags/schemas";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { ValueEditor, type Draft } from "../value-editor";
import { AdoptionLine, LastSeenLine } from "./client-adoption";
import type { LastSeen } from "@/lib/last-seen/last-seen-view";

type Current = FlagView["values"][string];

const INLINE = ["conflict" as const, "commit_outcome_unknown" as const];

/** A fresh key per edit (crypto.randomUUID needs a secure context; the console may be plain http). */
function newAttemptKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One environment's value: shown, edited with the type's editor, reviewed as a diff, then saved with
 * the version it was based on, so a concurrent change by someone else is reported (409), not lost.
 */
export function EnvValueCard({ flag, environment, current: served, canWrite, adoption, lastSeen }: { flag: FlagView; environment: { key: string; name: string }; current: Current; canWrite: boolean; adoption?: FlagAdoption | null; lastSeen?: LastSeen }) {
  const router = useRouter();
  // After a conflict the card shows the newer value the server reported and bases the next save on
  // it, while the user's edit stays in the editor: nothing typed is thrown away.
  const [latest, setLatest] = useState<{ value: Current["value"]; version: number } | null>(null);
  const current = latest && latest.version > served.version ? { ...served, ...latest } : served;
  const [draft, setDraft] = useState<Draft>({ ok: true, value: served.value });
  const [reviewing, setReviewing] = useState(false);
  const [reason, setReason] = useState("");
  const [conflict, setConflict] = useState<{ theirs: unknown; version: number } | null>(null);
  // The server could not tell whether the commit went through (504 commit_outcome_unknown).
  const [unknown, setUnknown] = useState<string | null>(null);
  // One key per edit: Save pressed again for the same change is answered, never applied twice.
  const [attemptKey, setAttemptKey] = useState(newAttemptKey);
  const { run, pending, reset } = useServerAction(setFlagValueAction, { inlineCodes: INLINE });
  const changed = draft.ok && !same(draft.value, current.value);
  const titleId = `env-${environment.key}-title`;
  const reasonRef = useRef<HTMLInputElement>(null);
  const reviewRef = useRef<HTMLButtonElement>(null);
  // The Review button disappears when pressed: move focus to the review's first field, not the body.
  useEffect(() => {
    if (reviewing) reasonRef.current?.focus();
  }, [reviewing]);

  const save = async () => {
    if (!draft.ok || !changed || pending) return;
    setUnknown(null);
    const r = await run({ namespace: flag.namespace, key: flag.key, environment: environment.key, value: draft.value, expectedVersion: current.version, reason, idempotencyKey: attemptKey });
    if (r.ok) setAttemptKey(newAttemptKey());
    if (!r.ok && r.code === "commit_outcome_unknown") setUnknown(r.message);
    if (!r.ok && r.code === "conflict" && r.details && typeof r.details.currentVersion === "number") {
      setLatest({ value: r.details.current as Current["value"], version: r.details.currentVersion });
      setConflict({ theirs: r.details.current, version: r.details.currentVersion });
    }
  };

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
      <LastSeenLine seen={lastSeen} />
      {canWrite ? (
        <>
          <ValueEditor type={flag.type} initial={served.value} label={`New value in ${environment.key}`} onChange={(d) => { setDraft(d); setReviewing(false); setAttemptKey(newAttemptKey()); setUnknown(null); reset(); }} disabled={pending} />
          {!reviewing ? (
            <div className="row">
              <button type="button" className="primary" ref={reviewRef} disabled={!changed} onClick={() => setReviewing(true)}>
                Review change
              </button>
              {!changed && draft.ok && <span className="small muted">Change the value to save it.</span>}
            </div>
          ) : (
            // A form, so Enter in the Reason field saves like the Save button does.
            <form className="stack" aria-label={`Review the change in ${environment.key}`} onSubmit={(e) => { e.preventDefault(); void save(); }}>
              <JsonDiff before={current.value} after={draft.ok ? draft.value : undefined} beforeLabel={`Now (v${current.version})`} afterLabel="After saving" />
              <div className="field">
                <label htmlFor={`reason-${environment.key}`}>Reason (optional, recorded in the audit history)</label>
                <input id={`reason-${environment.key}`} ref={reasonRef} type="text" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
              </div>
              <div className="row">
                <button type="submit" className="primary" disabled={pending || !changed}>
                  {pending ? "Saving…" : "Save change"}
                </button>
                <button type="button" onClick={() => setReviewing(false)} disabled={pending}>Back to editing</button>
              </div>
            </form>
          )}
          {unknown && (
            <div className="alert warn" role="status" data-testid="save-outcome-unknown">
              <p style={{ marginTop: 0 }}>
                <strong>This change may or may not have been saved.</strong> {unknown}
              </p>
              <button type="button" onClick={() => router.refresh()}>Reload to see</button>
            </div>
          )}
          {conflict && (
            <div className="alert warn" role="alert" data-testid="conflict">
              <p style={{ marginTop: 0 }}>
                <strong>Someone else saved v{conflict.version} while you were editing.</strong> Nothing of yours was saved. Your edit is kept:
                compare it with their value below, then review and save again, or discard it.
              </p>
              <JsonDiff before={conflict.theirs} after={draft.ok ? draft.value : undefined} beforeLabel={`Their value (v${conflict.version})`} afterLabel="Your edit" />
              <div className="row">
                <button type="button" onClick={() => { setConflict(null); setReviewing(true); }}>Review my edit again</button>
                <button type="button" onClick={() => router.refresh()}>Discard my edit</button>
              </div>
            </div>
          )}
        </>
      ) : (
        <p className="small muted">{flag.archived ? "Archived flags cannot be changed; restore it first." : "Read-only for your role."}</p>
      )}
    </section>
  );
}
