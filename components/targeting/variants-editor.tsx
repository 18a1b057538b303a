"use client";

import { useId, useState } from "react";
import type { Variant } from "@/lib/rules/console-model";
import { errorAt, type FieldErrors } from "./field-errors";

function VariantRow({ v, index, onChange, onRemove, errors }: { v: Variant; index: number; onChange: (v: Variant) => void; onRemove: () => void; errors?: FieldErrors }) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(v.value));
  const [bad, setBad] = useState<string | null>(null);
  const nameErr = errorAt(errors, `variants.${index}.name`);
  const valueErr = bad ?? errorAt(errors, `variants.${index}.value`);
  return (
    <li className="form-grid" data-testid={`variant-${index}`}>
      <div className="field">
        <label htmlFor={`${id}-n`}>Variant {index + 1} name</label>
        <input id={`${id}-n`} type="text" value={v.name} onChange={(e) => onChange({ ...v, name: e.target.value })} aria-invalid={nameErr ? true : undefined} />
        {nameErr && <span className="error">{nameErr}</span>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-v`}>Value (JSON)</label>
        <input
          id={`${id}-v`}
          type="text"
          value={text}
          aria-invalid={valueErr ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            try {
              onChange({ ...v, value: JSON.parse(e.target.value) });
              setBad(null);
            } catch {
              setBad("Not valid JSON");
            }
          }}
        />
        {valueErr && <span className="error">{valueErr}</span>}
      </div>
      <div>
        <button type="button" onClick={onRemove}>Remove variant</button>
      </div>
    </li>
  );
}

/** The flag's variants in this environment: named values that splits share out. */
export function VariantsEditor({ variants, onChange, errors, sample }: { variants: Variant[]; onChange: (v: Variant[]) => void; errors?: FieldErrors; sample: unknown }) {
  return (
    <div className="stack" style={{ gap: "0.4rem" }}>
      {variants.length === 0 && <p className="small muted" style={{ margin: 0 }}>No variants. Add some to split traffic between them.</p>}
      <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {variants.map((v, i) => (
          <VariantRow key={i} v={v} index={i} errors={errors} onChange={(n) => onChange(variants.map((x, j) => (j === i ? n : x)))} onRemove={() => onChange(variants.filter((_, j) => j !== i))} />
        ))}
      </ul>
      <div>
        <button type="button" onClick={() => onChange([...variants, { name: `variant-${variants.length + 1}`, value: sample as Variant["value"] }])}>Add variant</button>
      </div>
    </div>
  );
}
