"use client";

import { usePathname } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

interface Toast {
  id: number;
  kind: "ok" | "error";
  text: string;
}

interface ToastApi {
  success(text: string): void;
  error(text: string): void;
}

const ToastContext = createContext<ToastApi | null>(null);

// Long enough to read a two-line message, short enough not to cover the page for the next task.
const SHOW_MS = { ok: 5_000, error: 8_000 } as const;

/**
 * Toasts for the results of actions. Successes are announced politely, errors assertively; both stay
 * until dismissed or for a few seconds, and can be closed with the keyboard. An error is about the
 * form it came from, so moving to another page clears it; a success (often the reason for moving,
 * e.g. "Created flag") stays for its few seconds.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (kind: Toast["kind"], text: string) => {
      const id = next.current++;
      setToasts((t) => [...t.slice(-4), { id, kind, text }]);
      setTimeout(() => dismiss(id), SHOW_MS[kind]);
    },
    [dismiss],
  );
  const path = usePathname();
  useEffect(() => setToasts((t) => t.filter((x) => x.kind !== "error")), [path]);
  const api = useMemo<ToastApi>(() => ({ success: (t) => push("ok", t), error: (t) => push("error", t) }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts">
        <div role="status" aria-live="polite" className="stack">
          {toasts.filter((t) => t.kind === "ok").map((t) => <ToastItem key={t.id} toast={t} onClose={dismiss} />)}
        </div>
        <div role="alert" aria-live="assertive" className="stack">
          {toasts.filter((t) => t.kind === "error").map((t) => <ToastItem key={t.id} toast={t} onClose={dismiss} />)}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onClose }: { toast: Toast; onClose: (id: number) => void }) {
  return (
    <div className={`toast ${toast.kind === "error" ? "error" : ""}`} data-testid={`toast-${toast.kind}`}>
      <span style={{ flex: 1 }}>{toast.text}</span>
      <button type="button" aria-label="Dismiss notification" onClick={() => onClose(toast.id)}>
        ×
      </button>
    </div>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error("useToast must be used inside <ToastProvider>");
  return ctx;
}
