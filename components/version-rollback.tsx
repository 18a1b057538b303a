"use client";

import { useState, type ReactNode } from "react";
import type { OlderVersions } from "./use-version-pages";

/**
 * The parts every rollback shares (a flag's value, its rules, a segment): pick an earlier audited
 * version, see what would change, give an optional reason, confirm. The caller supplies the
 * versions, how one reads in the select, the diff against today, and the save; `fields` are the
 * caller's own inputs shown before the version select (the value panel's environment). `older`,
 * when more versions exist than were loaded, offers to load the next page into the select.
 */
export function VersionRollback<V extends { version: number }>({
  id,
  versions,
  loading = false,
  chosen,
  onChoose,
  label,
  diff,
  confirmLabel,
  pending,
  error,
  onConfirm,
  fields,
  older,
}: {
  id: string;
  versions: V[];
  loading?: boolean;
  chosen: V | null;
  onChoose: (version: number | null) => void;
  label: (v: V) => string;
  diff: (v: V) => ReactNode;
  confirmLabel: (v: V) => string;
  pending: boolean;
  error?: string | null;
  onConfirm: (v: V, reason: string) => void;
  fields?: ReactNode;
  older?: OlderVersions;
}) {
  const [reason, setReason] = useState("");
  return (
    <>
      <div className="form-grid">
        {fields}
        <div className="field wide">
          <label htmlFor={`${id}-version`}>Earlier version</label>
          <select id={`${id}-version`} value={chosen?.version ?? ""} disabled={loading} onChange={(e) => onChoose(e.target.value ? Number(e.target.value) : null)}>
            <option value="">{loading ? "Loading versions…" : versions.length ? "Choose a version" : "No earlier versions"}</option>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {label(v)}
              </option>
            ))}
          </select>
          {older && (
            <div className="row">
              <button type="button" onClick={older.load} disabled={older.loading}>
                {older.loading ? "Loading…" : "Load older versions"}
              </button>
              {older.error && <span className="small" role="alert">{older.error}</span>}
            </div>
          )}
        </div>
      </div>
      {chosen && (
        <div className="stack">
          {diff(chosen)}
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (optional)</label>
            <input id={`${id}-reason`} type="text" maxLength={900} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          {error && <p className="alert error" role="alert">{error}</p>}
          <div>
            <button type="button" className="primary" disabled={pending} onClick={() => onConfirm(chosen, reason)}>
              {pending ? "Rolling back…" : confirmLabel(chosen)}
            </button>
          </div>
        </div>
      )}
    </>
  );
}

/** "MM-DD hh:mm · who": when and by whom a version was made, short enough for a closed select on a phone. */
export const versionWhen = (v: { occurredAt: string; actorName: string }) => `${v.occurredAt.slice(5, 16).replace("T", " ")} · ${v.actorName}`;
