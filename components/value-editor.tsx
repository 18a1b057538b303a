"use client";

import { useId, useState } from "react";
import type { FlagType } from "@/lib/db/schema/flags";

export type Draft = { ok: true; value: unknown } | { ok: false; error: string };

const MAX_STRING = 8 * 1024;

function parseNumber(text: string): Draft {
  const t = text.trim();
  if (t === "") return { ok: false, error: "Enter a number" };
  const n = Number(t);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: "Enter a finite number such as 42 or 0.5" };
}

function parseJson(text: string): Draft {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * An editor that fits the flag's type: a switch for booleans, a text box for strings, a number box,
 * and a JSON editor that validates as you type and can pretty-print. It reports a Draft (a value, or
 * what is wrong) on every change; the parent decides when to save.
 */
export function ValueEditor({ type, initial, label, onChange, disabled }: { type: FlagType; initial: unknown; label: string; onChange: (d: Draft) => void; disabled?: boolean }) {
  const id = useId();
  const [text, setText] = useState(() => (type === "json" ? JSON.stringify(initial, null, 2) : type === "number" ? String(initial ?? 0) : String(initial ?? "")));
  const [bool, setBool] = useState(initial === true);
  const [error, setError] = useState<string | null>(null);
  const report = (d: Draft) => {
    setError(d.ok ? null : d.error);
    onChange(d);
  };
  const errId = `${id}-err`;

  if (type === "boolean") {
    return (
      <div className="row">
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={bool}
          aria-label={label}
          disabled={disabled}
          onClick={() => {
            setBool(!bool);
            report({ ok: true, value: !bool });
          }}
        />
        <span aria-hidden="true">{bool ? "On (true)" : "Off (false)"}</span>
      </div>
    );
  }

  const common = {
    id,
    disabled,
    "aria-label": label,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errId : undefined,
  } as const;

  return (
    <div className="field">
      {type === "string" && (
        <textarea
          {...common}
          rows={2}
          maxLength={MAX_STRING}
          value={text}
          style={{ minHeight: "3rem" }}
          onChange={(e) => {
            setText(e.target.value);
            report({ ok: true, value: e.target.value });
          }}
        />
      )}
      {type === "number" && (
        <input
          {...common}
          type="text"
          inputMode="decimal"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            report(parseNumber(e.target.value));
          }}
        />
      )}
      {type === "json" && (
        <>
          <textarea
            {...common}
            rows={8}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              report(parseJson(e.target.value));
            }}
          />
          <div className="row">
            <button
              type="button"
              disabled={disabled || !!error}
              onClick={() => {
                const d = parseJson(text);
                if (d.ok) setText(JSON.stringify(d.value, null, 2));
              }}
            >
              Pretty-print
            </button>
          </div>
        </>
      )}
      {error && (
        <span id={errId} className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
