import { toErrorResponse } from "../errors/http";
import type { ErrorCode } from "../errors/service-error";
import { logEvent } from "../http/log";

/**
 * What every server action returns: plain, serialisable data the console shows as a toast or next to
 * a form field. Errors are in plain words; raw error text from the server never reaches the browser.
 */
export type ActionResult<T> =
  | { ok: true; data: T; message: string }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** Field name (dotted path) -> what is wrong with it. */
      fieldErrors?: Record<string, string>;
      details?: Record<string, unknown>;
    };

export type ActionFailure = Extract<ActionResult<unknown>, { ok: false }>;

const PERMISSION_WORDS: Record<string, string> = {
  "flag:read": "read flags",
  "audit:read": "read the audit history",
  "flag:write": "change flags",
  "namespace:admin": "administer the namespace",
};

function plainForbidden(message: string): string {
  const m = /^Your role does not allow (\S+) in (.+)$/.exec(message);
  if (m && PERMISSION_WORDS[m[1]!]) return `Your role does not allow you to ${PERMISSION_WORDS[m[1]!]} in ${m[2]}.`;
  return message.endsWith(".") ? message : `${message}.`;
}

export const SIGNED_OUT: ActionFailure = {
  ok: false,
  code: "unauthenticated",
  message: "Your session has ended. Sign in again to continue; nothing was changed.",
};

/** Maps anything thrown by a service verb to a failure result (logging server faults with the trace id). */
export function toActionFailure(err: unknown, traceId?: string | null): ActionFailure {
  const { status, body } = toErrorResponse(err);
  const e = body.error;
  if (status >= 500) logEvent("error", "server action failed", { traceId, code: e.code }, err);
  switch (e.code) {
    case "validation_failed": {
      const fieldErrors = Object.fromEntries((e.issues ?? []).map((i) => [i.path, i.message]));
      const list = (e.issues ?? []).map((i) => `${i.path} ${i.message}`).join("; ");
      return { ok: false, code: e.code, message: list ? `Please check your input: ${list}.` : "Please check your input.", fieldErrors };
    }
    case "forbidden":
      return { ok: false, code: e.code, message: plainForbidden(e.message) };
    case "conflict":
      return { ok: false, code: e.code, message: `${e.message}. Nothing was saved; review the latest version and try again.`, details: e.details };
    case "unauthenticated":
      return SIGNED_OUT;
    case "internal":
      return {
        ok: false,
        code: e.code,
        message: `Something went wrong on the server and nothing was changed. Try again; if it keeps happening, give an administrator this reference: ${traceId ?? "unknown"}.`,
      };
    default:
      return { ok: false, code: e.code, message: e.message.endsWith(".") ? e.message : `${e.message}.` };
  }
}
