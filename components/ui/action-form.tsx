"use client";

import type { FormEvent } from "react";
import type { ActionResult } from "@/lib/actions/action-result";
import { useServerAction, type ServerActionOptions } from "../use-server-action";

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;

interface ActionFormOptions<T> extends ServerActionOptions {
  /** The action's input from the form's fields; null stops the submit (a check the page made). Default: the FormData. */
  input?: (fields: FormData) => unknown;
  /** After a success; the default clears the form for the next entry. */
  onDone?: (data: T, form: HTMLFormElement) => void;
}

/**
 * A console form that runs one server action on submit: useServerAction's pending state, toast,
 * field errors and refresh, plus the submit handler every such form wrote out by hand (no native
 * submit, read the fields, run, clear or move on after a success).
 */
export function useActionForm<T>(action: Action<T>, opts: ActionFormOptions<T> = {}) {
  const state = useServerAction(action, opts);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fields = new FormData(form);
    const input = opts.input ? opts.input(fields) : fields;
    if (input === null) return;
    const r = await state.run(input);
    if (!r.ok) return;
    if (opts.onDone) opts.onDone(r.data, form);
    else form.reset();
  };
  return { ...state, onSubmit };
}

/** The form's primary button: disabled and relabelled while the action runs. */
export function SubmitButton({ pending, label, pendingLabel = "Creating…", disabled = false }: { pending: boolean; label: string; pendingLabel?: string; disabled?: boolean }) {
  return (
    <div>
      <button type="submit" className="primary" disabled={pending || disabled}>{pending ? pendingLabel : label}</button>
    </div>
  );
}

/** The action's refusal in words at the top of the form (for errors no field carries). */
export function FormError({ result }: { result: ActionResult<unknown> | null }) {
  return result && !result.ok ? <p className="alert error" role="alert">{result.message}</p> : null;
}
