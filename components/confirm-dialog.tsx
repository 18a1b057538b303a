"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";

/**
 * A modal confirmation (native <dialog>: focus is trapped and Escape cancels). With `typeToConfirm`
 * the confirm button stays disabled until that text is typed, for destructive actions.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  typeToConfirm,
  pending,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  typeToConfirm?: string;
  pending?: boolean;
  onConfirm: (extra: { typed: string; reason: string }) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setTyped("");
      setReason("");
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  const blocked = typeToConfirm !== undefined && typed !== typeToConfirm;
  return (
    <dialog ref={ref} aria-labelledby={`${id}-title`} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form
        method="dialog"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!blocked) onConfirm({ typed, reason });
        }}
      >
        <h2 id={`${id}-title`} style={{ marginTop: 0 }}>{title}</h2>
        {children}
        {typeToConfirm !== undefined && (
          <div className="field">
            <label htmlFor={`${id}-typed`}>
              Type <code>{typeToConfirm}</code> to confirm
            </label>
            <input id={`${id}-typed`} type="text" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (recorded in the audit history)</label>
          <input id={`${id}-reason`} type="text" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="submit" className={danger ? "danger" : "primary"} disabled={blocked || pending}>
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
