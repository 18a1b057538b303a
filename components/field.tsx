"use client";

import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";

/**
 * A labelled form control with an optional hint and error, wired with aria-describedby and
 * aria-invalid so screen readers announce them with the field.
 */
export function Field({ label, hint, error, children }: { label: ReactNode; hint?: ReactNode; error?: string; children: ReactElement }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control = isValidElement(children)
    ? cloneElement(children as ReactElement<Record<string, unknown>>, {
        id: (children.props as { id?: string }).id ?? id,
        "aria-describedby": described,
        "aria-invalid": error ? true : undefined,
      })
    : children;
  const controlId = (children.props as { id?: string }).id ?? id;
  return (
    <div className="field">
      <label htmlFor={controlId}>{label}</label>
      {control}
      {hint && <span id={hintId} className="hint">{hint}</span>}
      {error && <span id={errorId} className="error">{error}</span>}
    </div>
  );
}
