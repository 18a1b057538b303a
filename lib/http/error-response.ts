import { toErrorResponse } from "../errors/http";
import { logEvent } from "./log";

/**
 * Turns anything thrown into a client-safe JSON response (errors/http.ts decides status and text).
 * Server-side failures are logged in full with the trace id, which the client gets as x-request-id.
 */
export function errorResponse(err: unknown, info: { traceId: string; route: string; method: string }): Response {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) logEvent("error", "request failed", { ...info, status }, err);
  const headers = new Headers();
  if (status === 401) {
    const invalid = body.error.details?.reason === "invalid_token";
    headers.set("WWW-Authenticate", invalid ? 'Bearer realm="mizuflow", error="invalid_token"' : 'Bearer realm="mizuflow"');
  }
  if (status === 503) headers.set("Retry-After", "1");
  return Response.json(body, { status, headers });
}
