import { toErrorResponse } from "../errors/http";
import { componentLogger } from "../observability/logger";

/**
 * Turns anything thrown into a client-safe JSON response (errors/http.ts decides status and text).
 * Server-side failures are logged in full with the trace id, which the client gets as x-request-id.
 */
export function errorResult(err: unknown, info: { traceId: string; route: string; method: string }): { status: number; headers: Record<string, string>; json: string } {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) componentLogger("http").error({ ...info, status, err }, "request failed");
  const headers: Record<string, string> = {};
  if (status === 401) {
    const invalid = body.error.details?.reason === "invalid_token";
    headers["www-authenticate"] = invalid ? 'Bearer realm="mizuflow", error="invalid_token"' : 'Bearer realm="mizuflow"';
  }
  if (status === 503) headers["retry-after"] = "1";
  return { status, headers, json: JSON.stringify(body) };
}
