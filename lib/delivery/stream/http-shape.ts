import { ServiceError, type ErrorCode } from "../../errors/service-error";
import { toErrorResponse } from "../../errors/http";

/**
 * The HTTP surface of the SDK endpoints, shared by the Next.js route handlers and the node:http
 * stream server so both answer byte-for-byte alike.
 */
export const SDK_STREAM_PATH = "/api/sdk/v1/stream";
export const SDK_FLAGS_PATH = "/api/sdk/v1/flags";
export const SDK_REPORT_PATH = "/api/sdk/v1/report";

/** Auth is by SDK key, never by cookie, so any origin may read (browser SDKs). */
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "ETag, Retry-After",
} as const;

export const STREAM_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform keeps compression middleware and proxies from buffering the stream.
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  ...CORS,
};

export const PREFLIGHT_HEADERS: Record<string, string> = {
  ...CORS,
  "access-control-allow-methods": "GET, OPTIONS",
  "access-control-allow-headers": "Authorization, Last-Event-ID, Cache-Control, If-None-Match, Content-Type",
  "access-control-max-age": "86400",
};

/** The report endpoint takes a POST (browsers send it as a CORS-simple text/plain request). */
export const REPORT_PREFLIGHT_HEADERS: Record<string, string> = {
  ...PREFLIGHT_HEADERS,
  "access-control-allow-methods": "POST, OPTIONS",
};

export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache", ...CORS, ...extra };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function errorReply(code: ErrorCode, message: string, extraHeaders: Record<string, string> = {}): HttpReply {
  return serviceErrorReply(new ServiceError(code, message), extraHeaders);
}

/** A ServiceError (with its field issues, if any) as a reply. */
export function serviceErrorReply(err: ServiceError, extraHeaders: Record<string, string> = {}): HttpReply {
  const { status, body } = toErrorResponse(err);
  return { status, headers: jsonHeaders(extraHeaders), body: JSON.stringify(body) };
}

export function noContent(): HttpReply {
  return { status: 204, headers: { ...CORS, "cache-control": "no-store" }, body: "" };
}

export function tooManyAttempts(retryAfterMs: number, what: string): HttpReply {
  return errorReply("rate_limited", `Too many connection attempts for this ${what}; retry later`, {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}

/** The client address has used up its failed SDK key checks (failed-auth-limit.ts). */
export function tooManyFailedAuths(retryAfterMs: number): HttpReply {
  return errorReply("rate_limited", "Too many failed SDK key checks from this address; retry later", {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}

/** verifySdkKey's lookup budget is spent (a flood of made-up keys): a key new here waits a moment. */
export function keyLookupsBusy(retryAfterMs: number): HttpReply {
  return errorReply("unavailable", "Too many unknown SDK keys are being tried right now; retry shortly", {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}

export function methodNotAllowed(method: "GET" | "POST" = "GET"): HttpReply {
  return errorReply("bad_request", `Only ${method} and OPTIONS are supported here`, { allow: `${method}, OPTIONS` });
}

/** True when an If-None-Match header lists `etag` (weak or strong) or is `*`. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}
