/**
 * The one error type the service layer throws on purpose. Entry points map `code` to an HTTP
 * status in one place (errors/http.ts); anything else is an internal error whose text never
 * reaches a client.
 */
export const ERROR_CODES = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  validation_failed: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  commit_outcome_unknown: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldIssue {
  path: string;
  message: string;
}

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly issues?: FieldIssue[];
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { issues?: FieldIssue[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "ServiceError";
    this.code = code;
    this.issues = opts.issues;
    this.details = opts.details;
  }
}

export const notFound = (what: string) => new ServiceError("not_found", `${what} not found`);
export const forbidden = (message = "You do not have permission to do this") =>
  new ServiceError("forbidden", message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new ServiceError("conflict", message, { details });
