import type { HttpReply } from "../delivery/stream/http-shape";

/**
 * The HTTP surface of OFREP: paths, CORS and reply shapes, shared by the node:http and Next.js
 * transports. CORS is per client key: a response names the caller's Origin only when the key lists
 * it. A preflight carries no key, so it is answered from the request alone (no MySQL); the real
 * request's response then decides whether the browser may read it.
 */
export const OFREP_PREFIX = "/ofrep/v1/";
export const OFREP_BULK_PATH = "/ofrep/v1/evaluate/flags";
export const OFREP_EVENTS_PATH = "/ofrep/v1/events";

export function isOfrepPath(path: string): boolean {
  return path.startsWith(OFREP_PREFIX);
}

/** Read only: every reply copies its headers into a new object (jsonReply, the 304). */
const NO_CORS: Record<string, string> = Object.freeze({ vary: "Origin" }) as Record<string, string>;

export function corsHeaders(origin: string | null, allowed: readonly string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin.toLowerCase())) return NO_CORS;
  return { vary: "Origin", "access-control-allow-origin": origin, "access-control-expose-headers": "ETag, Retry-After" };
}

export function preflightReply(origin: string | null): HttpReply {
  const headers: Record<string, string> = { vary: "Origin", "cache-control": "no-store" };
  if (origin) {
    Object.assign(headers, {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST, GET, OPTIONS",
      "access-control-allow-headers": "Authorization, X-API-Key, Content-Type, If-None-Match, Last-Event-ID",
      "access-control-max-age": "600",
    });
  }
  return { status: 204, headers, body: "" };
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string>): HttpReply {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache", ...headers }, body: JSON.stringify(body) };
}

export function rawJsonReply(status: number, json: string, headers: Record<string, string>): HttpReply {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache", ...headers }, body: json };
}

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};
