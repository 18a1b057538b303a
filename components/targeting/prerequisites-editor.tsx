"use client";

import { useId } from "react";
import { PREREQUISITE_CONDITIONS, type PrerequisiteCondition, type PrerequisiteDraft } from "@/lib/rules/console-model";
import { ChipsInput } from "./chips-input";
import { errorAt, type FieldErrors } from "./field-errors";

/**
 * One environment's prerequisites (issue 14): each names another flag of the namespace, evaluated
 * in the same environment, and the condition it must meet (on / off / on serving one of the
 * variants); all must hold, else the flag serves its off value (DISABLED). Saved with the rules;
 * a 422 (unknown flag, a cycle) is shown next to the row or the section it names.
 */
export function PrerequisitesEditor({ prerequisites, onChange, candidates, knownVariants, errors }: {
  prerequisites: PrerequisiteDraft[];
  onChange: (p: PrerequisiteDraft[]) => void;
  candidates: { key: string; type: string }[];
  /** Variants each prerequisite flag defines in this environment, when the page has read them (a hint). */
  knownVariants: Record<string, string[]>;
  errors?: FieldErrors;
}) {
  const id = useId();
  const set = (i: number, patch: Partial<PrerequisiteDraft>) => onChange(prerequisites.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  // The cycle refusal names the list itself (path `prerequisites`), not one row.
  const listErr = errorAt(errors, "prerequisites", true);
  return (
    <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }} data-testid="prerequisites">
      <legend><h4 style={{ margin: 0 }}>Prerequisites: all must hold, else the off value is served</h4></legend>
      {prerequisites.length === 0 && <p className="small muted" style={{ margin: 0 }}>None: this flag does not depend on another.</p>}
      <ol className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {prerequisites.map((p, i) => {
          const owner = `Prerequisite ${i + 1}`;
          const flagErr = errorAt(errors, `prerequisites.${i}.flag`);
          const varErr = errorAt(errors, `prerequisites.${i}.variants`);
          // A flag the row names but the picker no longer offers (deleted, archived) stays selectable, so the 422 makes sense.
          const offered = p.flag && !candidates.some((c) => c.key === p.flag) ? [...candidates, { key: p.flag, type: "?" }] : candidates;
          const known = knownVariants[p.flag] ?? [];
          return (
            <li key={i} className="panel stack" data-testid={`prerequisite-${i}`} aria-label={owner}>
              <div className="row" style={{ alignItems: "flex-end" }}>
                <div className="field" style={{ flex: "1 1 12rem", minWidth: 0 }}>
                  <label htmlFor={`${id}-${i}-flag`}>{owner}: flag</label>
                  <select id={`${id}-${i}-flag`} value={p.flag} aria-invalid={flagErr ? true : undefined} aria-describedby={flagErr ? `${id}-${i}-flag-err` : undefined} onChange={(e) => set(i, { flag: e.target.value })}>
                    <option value="">Choose a flag…</option>
                    {offered.map((c) => <option key={c.key} value={c.key}>{c.key} ({c.type})</option>)}
                  </select>
                </div>
                <div className="field" style={{ flex: "1 1 12rem", minWidth: 0 }}>
                  <label htmlFor={`${id}-${i}-cond`}>{owner}: condition</label>
                  <select id={`${id}-${i}-cond`} value={p.condition} onChange={(e) => set(i, { condition: e.target.value as PrerequisiteCondition, variants: e.target.value === "variants" ? p.variants : [] })}>
                    {Object.entries(PREREQUISITE_CONDITIONS).map(([v, label]) => <option key={v} value={v}>{label}</option>)}
                  </select>
                </div>
                <button type="button" onClick={() => onChange(prerequisites.filter((_, j) => j !== i))}>Remove prerequisite</button>
              </div>
              {flagErr && <span id={`${id}-${i}-flag-err`} className="error small" role="alert">{flagErr}</span>}
              {p.condition === "variants" && (
                <div className="field">
                  <label htmlFor={`${id}-${i}-variants`}>{owner}: variants</label>
                  <ChipsInput id={`${id}-${i}-variants`} label={`${owner}: variants`} values={p.variants} onChange={(variants) => set(i, { variants })} invalid={Boolean(varErr)} describedBy={`${id}-${i}-variants-hint`} />
                  <span id={`${id}-${i}-variants-hint`} className="hint">
                    {known.length ? `${p.flag} defines: ${known.join(", ")}. ` : ""}&quot;disabled&quot; means on without a variant.
                  </span>
                  {varErr && <span className="error small" role="alert">{varErr}</span>}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {listErr && <p className="error small" role="alert" data-testid="prerequisites-error">{listErr}</p>}
      <div>
        <button type="button" disabled={candidates.length === 0} onClick={() => onChange([...prerequisites, { flag: "", condition: "on", variants: [] }])}>Add prerequisite</button>
        {candidates.length === 0 && <span className="small muted"> (the namespace has no other flag)</span>}
      </div>
    </fieldset>
  );
}
