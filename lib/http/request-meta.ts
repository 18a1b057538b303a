import { randomUUID } from "node:crypto";
import type { HeaderReader } from "./api-request";

/**
 * Request metadata recorded in logs and audit rows.
 *
 * Trace id: a caller-supplied `x-request-id` (if it is a sane token), else the trace id of a W3C
 * `traceparent`, else 32 random hex digits. It is echoed back as `x-request-id`.
 *
 * Client IP: the first hop of `x-forwarded-for`. That header is only trustworthy behind a proxy that
 * sets it (the deployment docs require one); it is recorded for the audit trail, never used for
 * authorisation. Without it the IP is unknown (null).
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const IP_LIKE = /^[0-9A-Fa-f:.]{2,45}$/;

export function traceIdOf(headers: HeaderReader): string {
  const rid = headers.get("x-request-id")?.trim();
  if (rid && REQUEST_ID.test(rid)) return rid;
  const tp = TRACEPARENT.exec(headers.get("traceparent")?.trim().toLowerCase() ?? "");
  if (tp && !/^0+$/.test(tp[1]!)) return tp[1]!;
  // randomUUID draws from a cached entropy pool (randomBytes is a synchronous call each time).
  return randomUUID().replaceAll("-", "");
}

export function clientIpOf(headers: HeaderReader): string | null {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (first && IP_LIKE.test(first)) return first;
  const real = headers.get("x-real-ip")?.trim();
  return real && IP_LIKE.test(real) ? real : null;
}
