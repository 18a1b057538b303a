"use client";

import { useState } from "react";

/** Values as chips: type and press Enter (or comma) to add one, × to remove it. */
export function ChipsInput({ values, onChange, label, id, invalid, describedBy }: { values: string[]; onChange: (v: string[]) => void; label: string; id: string; invalid?: boolean; describedBy?: string }) {
  const [text, setText] = useState("");
  const add = () => {
    const parts = text.split(",").map((s) => s.trim()).filter((s) => s && !values.includes(s));
    if (parts.length) onChange([...values, ...parts]);
    setText("");
  };
  return (
    <div className="stack" style={{ gap: "0.3rem" }}>
      {values.length > 0 && (
        <ul className="row" aria-label={`${label}: values`} style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {values.map((v) => (
            <li key={v} className="badge" style={{ maxWidth: "100%", overflowWrap: "anywhere" }}>
              {v}{" "}
              <button type="button" className="small" style={{ padding: "0 0.3rem" }} aria-label={`Remove ${v}`} onClick={() => onChange(values.filter((x) => x !== v))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        type="text"
        value={text}
        placeholder="Type a value, press Enter"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(e) => setText(e.target.value)}
        onBlur={add}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === ",") {
            e.preventDefault();
            add();
          }
        }}
      />
    </div>
  );
}
