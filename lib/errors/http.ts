import { z } from "zod";
import { ERROR_CODES, ServiceError, type ErrorCode } from "./service-error";
import { zodIssues } from "../validation/parse";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: { path: string; message: string }[]; details?: Record<string, unknown> };
}

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "EPIPE",
  "ENOTFOUND",
]);

/**
 * True when the database could not be reached: the request may be retried later (503). mysql2 marks
 * every error that killed the connection `fatal`, including ones without a code such as "Can't add
 * new command when connection is in closed state" (a ROLLBACK after the server went away mid-
 * transaction), which drizzle throws instead of the original error.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERRORS.has(code)) return true;
    if ((e as { fatal?: unknown }).fatal === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps any thrown value to a status and a body that is safe to show a client. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  let e: ServiceError;
  if (err instanceof ServiceError) e = err;
  else if (err instanceof z.ZodError)
    e = new ServiceError("validation_failed", "Invalid input", { issues: zodIssues(err) });
  else if (isDatabaseUnavailable(err))
    e = new ServiceError("unavailable", "The database is unavailable; nothing was changed. Try again shortly.");
  else e = new ServiceError("internal", "Internal server error");
  const body: ErrorBody = { error: { code: e.code, message: e.message } };
  if (e.issues) body.error.issues = e.issues;
  if (e.details) body.error.details = e.details;
  return { status: ERROR_CODES[e.code], body };
}
