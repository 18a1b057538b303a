"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/actions/action-result";
import type { ErrorCode } from "@/lib/errors/service-error";
import { useToast } from "./toast";

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;

export interface ServerActionOptions {
  /** Refresh the server-rendered page after a success (default true). */
  refresh?: boolean;
  /** Toast the outcome (default true). */
  toast?: boolean;
  /** Error codes the component shows in place, so they get no toast. */
  inlineCodes?: ErrorCode[];
}

/**
 * Runs a server action from a client component: pending state, a toast with the outcome in plain
 * words, field errors for the form, and a refresh of the server-rendered page after a success.
 * A network failure (server unreachable) becomes an error result too, never an unhandled rejection.
 */
export function useServerAction<T>(action: Action<T>, opts: ServerActionOptions = {}) {
  const router = useRouter();
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const run = useCallback(
    (input: unknown): Promise<ActionResult<T>> =>
      new Promise((resolve) => {
        startTransition(async () => {
          let r: ActionResult<T>;
          try {
            r = await action(input);
          } catch {
            r = { ok: false, code: "unavailable", message: "The server could not be reached; nothing was changed. Check your connection and try again." };
          }
          setResult(r);
          if (opts.toast !== false) {
            if (r.ok) toast.success(r.message);
            // Errors the component explains in place (e.g. a 409 next to the editor) need no toast too.
            else if (!opts.inlineCodes?.includes(r.code)) toast.error(r.message);
          }
          if (r.ok && opts.refresh !== false) router.refresh();
          if (!r.ok && r.code === "unauthenticated") router.push(`/login?callbackUrl=${encodeURIComponent(window.location.pathname)}`);
          resolve(r);
        });
      }),
    [action, opts.refresh, opts.toast, opts.inlineCodes, router, toast],
  );
  const fieldError = (name: string) => (result && !result.ok ? result.fieldErrors?.[name] : undefined);
  return { run, pending, result, fieldError, reset: () => setResult(null) };
}
