"use client";

import { useId } from "react";
import { ATTRIBUTE_KINDS, CONTEXT_FIELDS, kindOf, OPERATOR_LABELS, takesCase, takesList, type AttributeKind, type Constraint, type Operator } from "@/lib/rules/console-model";
import { ChipsInput } from "./chips-input";
import { errorAt, type FieldErrors } from "./field-errors";

const KIND_LABELS: Record<AttributeKind, string> = { string: "text", number: "number", date: "date", semver: "version (semver)", ip: "IP address" };

/** Keeps `values` for list operators and `value` for the others when the operator changes. */
function withOperator(c: Constraint, operator: Operator): Constraint {
  const { values, value, caseInsensitive, ...rest } = c;
  const next: Constraint = { ...rest, operator };
  if (takesList(operator)) next.values = values ?? (value ? [value] : []);
  else next.value = value ?? values?.[0] ?? "";
  if (caseInsensitive && takesCase(operator)) next.caseInsensitive = true;
  return next;
}

function ConstraintRow({ c, onChange, onRemove, errors, path, label }: { c: Constraint; onChange: (c: Constraint) => void; onRemove: () => void; errors?: FieldErrors; path: string; label: string }) {
  const id = useId();
  const kind = kindOf(c.operator);
  const err = (p: string) => errorAt(errors, `${path}.${p}`);
  const fieldErr = err("contextName");
  const valueErr = takesList(c.operator) ? err("values") : err("value");
  return (
    <fieldset className="panel" style={{ padding: "0.6rem", marginBottom: 0 }} data-testid="constraint">
      <legend className="small">{label}</legend>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-field`}>Context field</label>
          <input id={`${id}-field`} type="text" list={`${id}-fields`} value={c.contextName} aria-invalid={fieldErr ? true : undefined} aria-describedby={fieldErr ? `${id}-field-err` : undefined} onChange={(e) => onChange({ ...c, contextName: e.target.value })} />
          <datalist id={`${id}-fields`}>{CONTEXT_FIELDS.map((f) => <option key={f} value={f} />)}</datalist>
          {fieldErr && <span id={`${id}-field-err`} className="error">{fieldErr}</span>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Attribute type</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => onChange(withOperator(c, ATTRIBUTE_KINDS[e.target.value as AttributeKind][0]))}>
            {Object.entries(KIND_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-op`}>Operator</label>
          <select id={`${id}-op`} value={c.operator} onChange={(e) => onChange(withOperator(c, e.target.value as Operator))}>
            {ATTRIBUTE_KINDS[kind].map((o) => <option key={o} value={o}>{OPERATOR_LABELS[o]}</option>)}
          </select>
        </div>
        <div className="field wide">
          <label htmlFor={`${id}-val`}>{takesList(c.operator) ? "Values" : "Value"}</label>
          {takesList(c.operator) ? (
            <ChipsInput id={`${id}-val`} label={label} values={c.values ?? []} onChange={(values) => onChange({ ...c, values })} invalid={Boolean(valueErr)} describedBy={valueErr ? `${id}-val-err` : undefined} />
          ) : (
            <input id={`${id}-val`} type="text" value={c.value ?? ""} aria-invalid={valueErr ? true : undefined} aria-describedby={valueErr ? `${id}-val-err` : undefined} onChange={(e) => onChange({ ...c, value: e.target.value })} />
          )}
          {valueErr && <span id={`${id}-val-err`} className="error">{valueErr}</span>}
        </div>
      </div>
      <div className="row" style={{ marginTop: "0.4rem" }}>
        <label className="checkbox">
          <input type="checkbox" checked={c.inverted ?? false} onChange={(e) => onChange({ ...c, inverted: e.target.checked || undefined })} /> Inverted (NOT)
        </label>
        {takesCase(c.operator) && (
          <label className="checkbox">
            <input type="checkbox" checked={c.caseInsensitive ?? false} onChange={(e) => onChange({ ...c, caseInsensitive: e.target.checked || undefined })} /> Case-insensitive
          </label>
        )}
        <button type="button" onClick={onRemove}>Remove condition</button>
      </div>
    </fieldset>
  );
}

/** A list of constraints (all must hold), each built from field, type-fitting operator and values. */
export function ConstraintBuilder({ constraints, onChange, errors, path, owner }: { constraints: Constraint[]; onChange: (c: Constraint[]) => void; errors?: FieldErrors; path: string; owner: string }) {
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      {constraints.length === 0 && <p className="small muted" style={{ margin: 0 }}>No conditions: every context matches.</p>}
      {constraints.map((c, i) => (
        <ConstraintRow
          key={i}
          c={c}
          label={`${owner}, condition ${i + 1}`}
          path={`${path}.${i}`}
          errors={errors}
          onChange={(n) => onChange(constraints.map((x, j) => (j === i ? n : x)))}
          onRemove={() => onChange(constraints.filter((_, j) => j !== i))}
        />
      ))}
      <div>
        <button type="button" onClick={() => onChange([...constraints, { contextName: "userId", operator: "IN", values: [] }])}>Add condition</button>
      </div>
    </div>
  );
}
