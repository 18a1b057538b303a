import { toErrorResponse } from "../errors/http";
import { componentLogger } from "../observability/logger";
import type { ErrorCode } from "../errors/service-error";

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
  if (status >= 500) componentLogger("actions").error({ traceId, code: e.code, err }, "server action failed");
  switch (e.code) {
    case "validation_failed": {
      const fieldErrors = Object.fromEntries((e.issues ?? []).map((i) => [i.path, i.message]));
      const list = (e.issues ?? []).map((i) => `${i.path} ${i.message}`).join("; ");
      return { ok: false, code: e.code, message: list ? `Please check your input: ${list}.` : "Please check your input.", fieldErrors };
    }
    case "forbidden":
      return { ok: false, code: e.code, message: plainForbidden(e.message) };
    case "conflict":
      // Two kinds of 409: a stale version (someone saved first; the details carry theirs) and a key
      // that is taken or in use, where "review the latest version" would make no sense.
      if (e.details && "currentVersion" in e.details) {
        return { ok: false, code: e.code, message: `${e.message}. Nothing was saved; review the latest version and try again.`, details: e.details };
      }
      if (/ already exists$/.test(e.message)) return { ok: false, code: e.code, message: `${e.message}. Choose a different key; nothing was saved.` };
      return { ok: false, code: e.code, message: `${e.message}. Nothing was changed.`, details: e.details };
    case "unauthenticated":
      return SIGNED_OUT;
    case "idempotency_key_reused":
      return { ok: false, code: e.code, message: "This change was already saved with other details (for example a different reason). Reload to see the current value." };
    case "commit_outcome_unknown":
      return {
        ok: false,
        code: e.code,
        message: "The database stopped answering while saving, so this change may or may not have been saved. Reload to see the current value.",
        details: e.details,
      };
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
