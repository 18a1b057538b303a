/**
 * Calls the real admin route handlers (app/api/**) with full control over the request: path
 * parameters passed exactly as Next.js would hand them over (already decoded, any string), a raw
 * body, any headers, a bearer token or a session cookie. For fuzzing, the authorisation matrix and
 * the outage suite. The handlers use the process singletons (getDb/getEtcd), pointed at a test env
 * with `pointAppAt` before the first call and dropped with `resetAppSingletons`.
 */
import { clearApiTokenCache } from "../../lib/auth/api-token-auth";
import { SESSION_COOKIE, encodeSessionToken } from "../../lib/auth/session-token";
import { passwordFingerprint } from "../../lib/auth/session-actor";
import { closeDb, getDb } from "../../lib/db/client";
import { getEtcd } from "../../lib/etcd/client";
import { BASE_URL, loadHandler } from "./api-test-harness";
import type { RouteSpec } from "../../lib/http/route-spec";

/** A fixed test secret so session cookies can be minted (never used outside tests). */
export const TEST_AUTH_SECRET = "test-only-secret-for-session-cookies-0123456789";

export function pointAppAt(target: { databaseUrl: string; etcdEndpoints: string[]; etcdPrefix: string }): void {
  process.env.DATABASE_URL = target.databaseUrl;
  process.env.ETCD_ENDPOINTS = target.etcdEndpoints.join(",");
  process.env.ETCD_PREFIX = target.etcdPrefix;
  process.env.IMMEDIATE_PUBLISH = "on";
  process.env.AUTH_SECRET ??= TEST_AUTH_SECRET;
}

/** Closes and forgets the app's process-wide pool, etcd client and publisher. */
export async function resetAppSingletons(): Promise<void> {
  clearApiTokenCache();
  const g = globalThis as Record<string, unknown>;
  const delivery = g.mizuflowDelivery as { hub: { stop(): Promise<void> }; core: { close(): void } } | undefined;
  if (delivery) {
    delivery.core.close();
    await delivery.hub.stop().catch(() => {});
  }
  if (g.mizuflowDb) await closeDb(getDb()).catch(() => {});
  if (g.mizuflowEtcd) getEtcd().client.close();
  for (const k of ["mizuflowDb", "mizuflowEtcd", "mizuflowImmediatePublisher", "mizuflowDelivery"]) delete g[k];
}

export type Credential =
  | { kind: "anonymous" }
  | { kind: "token"; token: string }
  | { kind: "session"; cookie: string; sameOrigin: boolean }
  | { kind: "header"; authorization: string };

export interface RouteCall {
  params?: Record<string, string>;
  /** Raw query string (without '?') or an object. */
  query?: string | Record<string, string>;
  json?: unknown;
  /** Raw body; content-type application/json unless headers say otherwise. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  credential?: Credential;
  /** For endless responses (SSE): read until this much time passed or an event arrived, then cancel. */
  streamMs?: number;
}

export interface RouteResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke into arbitrary JSON
  json: any;
  text: string;
  ms: number;
}

/** Lone surrogates cannot be put in a URL (a client would have sent U+FFFD); the handler still gets them raw. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

export function urlFor(spec: RouteSpec, params: Record<string, string> = {}, query?: string | Record<string, string>): URL {
  const path = spec.route.replace(/\[([^\]]+)\]/g, (_m, name: string) => encodeURIComponent(wellFormed(params[name] ?? "")));
  const url = new URL(path, BASE_URL);
  if (typeof query === "string") url.search = query;
  else if (query) for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
  return url;
}

export async function callRoute(spec: RouteSpec, call: RouteCall = {}): Promise<RouteResult> {
  const headers = new Headers(call.headers);
  const cred = call.credential ?? { kind: "anonymous" };
  if (cred.kind === "token") headers.set("authorization", `Bearer ${cred.token}`);
  if (cred.kind === "header") headers.set("authorization", cred.authorization);
  if (cred.kind === "session") {
    headers.set("cookie", `${SESSION_COOKIE}=${cred.cookie}`);
    if (cred.sameOrigin) headers.set("sec-fetch-site", "same-origin");
    else headers.set("sec-fetch-site", "cross-site");
  }
  let body: string | Uint8Array | undefined = call.body;
  if (call.json !== undefined) body = JSON.stringify(call.json);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const url = urlFor(spec, call.params, call.query);
  const handler = await loadHandler(spec);
  const started = performance.now();
  const res = await handler(new Request(url, { method: spec.method, headers, body: body as BodyInit | undefined }), {
    params: Promise.resolve({ ...(call.params ?? {}) }),
  });
  const text = call.streamMs && res.body && res.status < 300 ? await readSome(res.body, call.streamMs) : await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text, ms };
}

async function readSome(body: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  try {
    while (!/\nevent: /.test(`\n${text}`) && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
      if (!next || next.done) break;
      text += decoder.decode(next.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

/** A console session cookie for a user row, as the sign-in flow would issue it. */
export async function sessionCookieFor(user: { id: number; email: string; passwordHash: string | null }): Promise<string> {
  return encodeSessionToken({ userId: user.id, email: user.email, pwf: passwordFingerprint(user.passwordHash) });
}

/**
 * Checks an error response is what a client should see: a JSON error body whose code matches the
 * status, a non-empty message without stack frames or internals, and for 422 the offending fields.
 * Returns the problems found (empty when fine).
 */
export function errorBodyProblems(res: Pick<RouteResult, "status" | "json" | "text">): string[] {
  const problems: string[] = [];
  const e = res.json?.error;
  if (!e || typeof e !== "object") return [`status ${res.status} without a JSON error body: ${res.text.slice(0, 120)}`];
  if (typeof e.message !== "string" || e.message.trim() === "") problems.push("error.message is empty");
  if (typeof e.code !== "string") problems.push("error.code missing");
  if (/\\n\s+at |node_modules|\/work\/|\.[cm]?[jt]s:\d+:\d+|ECONNREFUSED|PROTOCOL_CONNECTION_LOST|\bER_[A-Z_]{3,}/.test(res.text)) problems.push(`error body leaks internals: ${res.text.slice(0, 200)}`);
  if (res.status === 422) {
    const issues = e.issues;
    if (!Array.isArray(issues) || issues.length === 0) problems.push("422 without issues");
    else if (!issues.every((i: { path?: unknown; message?: unknown }) => typeof i.path === "string" && i.path !== "" && typeof i.message === "string" && i.message !== "")) {
      problems.push(`422 issues without field paths: ${JSON.stringify(issues).slice(0, 200)}`);
    }
  }
  return problems;
}
