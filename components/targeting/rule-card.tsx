"use client";

import { useId } from "react";
import type { FlagType } from "@/lib/db/schema/flags";
import type { Rule, Variant } from "@/lib/rules/console-model";
import { ConstraintBuilder } from "./constraint-builder";
import { errorAt, type FieldErrors } from "./field-errors";
import { ServeEditor } from "./serve-editor";

/**
 * One rule: name, conditions, segments (all must hold), an optional percentage gate (a slider;
 * sticky on userId by default), and what it serves. Moved up/down or removed by the list.
 */
export function RuleCard(props: {
  rule: Rule;
  index: number;
  count: number;
  type: FlagType;
  variants: Variant[];
  segmentKeys: string[];
  errors?: FieldErrors;
  onChange: (r: Rule) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { rule, index, count, type, variants, segmentKeys, errors, onChange } = props;
  const id = useId();
  const path = `rules.${index}`;
  const owner = `Rule ${index + 1}`;
  const gateErr = errorAt(errors, `${path}.gate`);
  const segErr = errorAt(errors, `${path}.segments`);
  // A segment the rule names but the namespace no longer has stays listed, so it can be unticked.
  const offered = [...new Set([...segmentKeys, ...rule.segments])];
  return (
    <li className="panel stack" data-testid={`rule-${index}`} aria-label={owner}>
      <div className="spread">
        <h4 style={{ margin: 0 }}>{owner}{rule.name ? `: ${rule.name}` : ""}</h4>
        <div className="row">
          <button type="button" disabled={index === 0} onClick={() => props.onMove(-1)} aria-label={`Move ${owner} up`}>↑</button>
          <button type="button" disabled={index === count - 1} onClick={() => props.onMove(1)} aria-label={`Move ${owner} down`}>↓</button>
          <button type="button" onClick={props.onRemove}>Remove rule</button>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name (optional)</label>
        <input id={`${id}-name`} type="text" value={rule.name ?? ""} onChange={(e) => onChange({ ...rule, name: e.target.value || undefined })} />
      </div>
      <ConstraintBuilder constraints={rule.constraints} onChange={(constraints) => onChange({ ...rule, constraints })} errors={errors} path={`${path}.constraints`} owner={owner} />
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="small">{owner}: in segments (all of them)</legend>
        {offered.length === 0 ? (
          <p className="small muted" style={{ margin: 0 }}>This namespace has no segments yet.</p>
        ) : (
          <div className="row">
            {offered.map((k) => (
              <label key={k} className="checkbox">
                <input type="checkbox" checked={rule.segments.includes(k)} onChange={(e) => onChange({ ...rule, segments: e.target.checked ? [...rule.segments, k] : rule.segments.filter((s) => s !== k) })} /> {k}
                {!segmentKeys.includes(k) && <span className="badge warn">missing</span>}
              </label>
            ))}
          </div>
        )}
        {segErr && <span className="error small" role="alert">{segErr}</span>}
      </fieldset>
      <div className="stack" style={{ gap: "0.3rem" }}>
        <label className="checkbox">
          <input type="checkbox" checked={rule.gate !== undefined} onChange={(e) => onChange({ ...rule, gate: e.target.checked ? { percentage: 50 } : undefined })} /> Only a percentage of matching contexts
        </label>
        {rule.gate && (
          <div className="row">
            <label htmlFor={`${id}-gate`}>Percentage</label>
            <input id={`${id}-gate`} type="range" min={0} max={100} step={1} value={rule.gate.percentage} style={{ flex: "1 1 8rem", minWidth: 0 }} onChange={(e) => onChange({ ...rule, gate: { ...rule.gate, percentage: Number(e.target.value) } })} />
            <input type="number" aria-label={`${owner}: percentage`} min={0} max={100} style={{ width: "5rem" }} value={rule.gate.percentage} onChange={(e) => onChange({ ...rule, gate: { ...rule.gate, percentage: Math.min(100, Math.max(0, Number(e.target.value) || 0)) } })} />
            <span aria-hidden="true">%</span>
          </div>
        )}
        {gateErr && <span className="error small" role="alert">{gateErr}</span>}
      </div>
      <ServeEditor serve={rule.serve} onChange={(serve) => onChange({ ...rule, serve })} type={type} variants={variants} errors={errors} path={`${path}.serve`} owner={owner} />
    </li>
  );
}
