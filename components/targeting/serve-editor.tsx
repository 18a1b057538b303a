"use client";

import { useId } from "react";
import type { FlagType } from "@/lib/db/schema/flags";
import { splitTotal, type Serve, type Variant } from "@/lib/rules/console-model";
import { ValueEditor } from "../value-editor";
import { errorAt, type FieldErrors } from "./field-errors";

/**
 * What a matching rule serves: one value of the flag's type, or a split between the flag's
 * variants whose weights (in %) must sum to 100; the sum is shown and Save is held back until then.
 */
export function ServeEditor({ serve, onChange, type, variants, errors, path, owner }: { serve: Serve; onChange: (s: Serve) => void; type: FlagType; variants: Variant[]; errors?: FieldErrors; path: string; owner: string }) {
  const id = useId();
  const isSplit = "split" in serve;
  const weights = isSplit ? serve.split.variants : [];
  const { total, ok } = splitTotal(weights.map((w) => w.weight));
  const weightOf = (name: string) => weights.find((w) => w.variant === name)?.weight ?? 0;
  const setWeight = (name: string, weight: number) => {
    if (!isSplit) return;
    const rest = weights.filter((w) => w.variant !== name);
    const next = variants.map((v) => v.name).flatMap((n) => (n === name ? [{ variant: n, weight }] : rest.filter((w) => w.variant === n)));
    onChange({ split: { ...serve.split, variants: next } });
  };
  const err = errorAt(errors, path);
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }} className="stack">
      <legend className="small">{owner}: serve</legend>
      <div className="row" role="radiogroup" aria-label={`${owner}: what to serve`}>
        <label className="checkbox">
          <input type="radio" name={`${id}-mode`} checked={!isSplit} onChange={() => onChange({ value: type === "boolean" ? true : type === "number" ? 0 : type === "string" ? "" : {} })} /> A value
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={isSplit}
            disabled={variants.length === 0}
            onChange={() => onChange({ split: { variants: variants.map((v, i) => ({ variant: v.name, weight: i === 0 ? 100 : 0 })) } })}
          />{" "}
          A split between variants{variants.length === 0 && <span className="small muted"> (define variants first)</span>}
        </label>
      </div>
      {!isSplit && <ValueEditor type={type} initial={"value" in serve ? serve.value : null} label={`${owner}: value served`} onChange={(d) => d.ok && onChange({ value: d.value as never })} />}
      {isSplit && (
        <div className="stack" style={{ gap: "0.4rem" }}>
          {variants.map((v) => (
            <div key={v.name} className="row">
              <label htmlFor={`${id}-w-${v.name}`} style={{ minWidth: "6rem" }}><code>{v.name}</code></label>
              <input id={`${id}-w-${v.name}`} type="number" min={0} max={100} step={1} style={{ width: "6rem" }} value={weightOf(v.name)} onChange={(e) => setWeight(v.name, Math.max(0, Math.round(Number(e.target.value) || 0)))} />
              <span aria-hidden="true">%</span>
            </div>
          ))}
          <p className={ok ? "small muted" : "alert warn small"} role={ok ? undefined : "status"} data-testid="split-total" style={{ margin: 0 }}>
            Weights sum to {total} %{ok ? "." : ": they must sum to 100 % before you can save."}
          </p>
        </div>
      )}
      {err && <span className="error small" role="alert">{err}</span>}
    </fieldset>
  );
}
