import { parseRetryAfter, type FetchFn } from "../sse-fetch";

/**
 * One OFREP bulk evaluation (`POST {baseUrl}/ofrep/v1/evaluate/flags`, open-feature/protocol
 * service/openapi.yaml) for the web provider: the context goes in the body, the key in
 * `Authorization: Bearer`, the last ETag in `If-None-Match` (the server answers 304 while nothing
 * in the key's scope changed). Never throws: every failure is an outcome with an OpenFeature
 * error code, so the provider can keep serving what it has (or defaults) and decide when to retry.
 */
export interface OfrepFlagEvaluation {
  key: string;
  value?: unknown;
  reason?: string;
  variant?: string;
  metadata?: Record<string, unknown>;
  errorCode?: string;
  errorDetails?: string;
}

export type BulkOutcome =
  | { kind: "ok"; flags: Map<string, OfrepFlagEvaluation>; etag: string | null; revision: number | null; eventsUri: string | null }
  | { kind: "not-modified" }
  /** `status` is undefined when nothing answered (network, CORS refusal, timeout). */
  | { kind: "error"; status?: number; errorCode: string; message: string; retryAfterMs?: number };

export interface BulkRequest {
  baseUrl: string;
  sdkKey: string;
  context: unknown;
  etag: string | null;
  fetch: FetchFn;
  timeoutMs: number;
}

export const OFREP_BULK_PATH = "/ofrep/v1/evaluate/flags";
export const OFREP_EVENTS_PATH = "/ofrep/v1/events";

export async function fetchBulk(r: BulkRequest): Promise<BulkOutcome> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), r.timeoutMs);
  try {
    const res = await r.fetch(joinUrl(r.baseUrl, OFREP_BULK_PATH), {
      method: "POST",
      headers: { Authorization: `Bearer ${r.sdkKey}`, "Content-Type": "application/json", ...(r.etag ? { "If-None-Match": r.etag } : {}) },
      body: JSON.stringify({ context: r.context ?? {} }),
      signal: ctl.signal,
      credentials: "omit",
    });
    if (res.status === 304) return { kind: "not-modified" };
    const text = await res.text();
    const body = parseJson(text);
    if (res.status !== 200) {
      const details = isRecord(body) && typeof body.errorDetails === "string" ? body.errorDetails : `HTTP ${res.status}`;
      const code = isRecord(body) && typeof body.errorCode === "string" ? body.errorCode : "GENERAL";
      return { kind: "error", status: res.status, errorCode: code, message: details, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")) };
    }
    if (!isRecord(body) || !Array.isArray(body.flags)) return { kind: "error", status: 200, errorCode: "PARSE_ERROR", message: "the bulk evaluation response has no flags array" };
    const flags = new Map<string, OfrepFlagEvaluation>();
    for (const f of body.flags) if (isRecord(f) && typeof f.key === "string") flags.set(f.key, f as unknown as OfrepFlagEvaluation);
    const meta = isRecord(body.metadata) ? body.metadata : {};
    return {
      kind: "ok",
      flags,
      etag: res.headers.get("etag"),
      revision: typeof meta.revision === "number" ? meta.revision : null,
      eventsUri: sseUri(body.eventStreams),
    };
  } catch (err) {
    return { kind: "error", errorCode: "GENERAL", message: ctl.signal.aborted ? `no answer within ${r.timeoutMs} ms` : `request failed: ${String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The first SSE stream the server announced (ADR-0008), as given (usually a path). */
function sseUri(streams: unknown): string | null {
  if (!Array.isArray(streams)) return null;
  for (const s of streams) {
    if (isRecord(s) && s.type === "sse" && isRecord(s.endpoint) && typeof s.endpoint.requestUri === "string") return s.endpoint.requestUri;
    if (isRecord(s) && s.type === "sse" && typeof s.url === "string") return s.url;
  }
  return null;
}

export function joinUrl(baseUrl: string, path: string): string {
  // Relative to the base, so a base URL with a path prefix (behind a proxy) keeps it.
  return new URL(path.replace(/^\//, ""), baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
