/**
 * Test support: calls the real route handlers (imported from app/api/**) the way Next.js does, with
 * a Request and a Promise of params, against a real database and etcd from createTestEnv(). The
 * handlers use the process singletons getDb()/getEtcd(), so the harness points DATABASE_URL,
 * ETCD_ENDPOINTS and ETCD_PREFIX at the test env before the first request. One harness per file.
 */
import path from "node:path";
import { count } from "drizzle-orm";
import type { MySqlTable } from "drizzle-orm/mysql-core";
import { clearApiTokenCache } from "../../lib/auth/api-token-auth";
// As the Next.js server does at start (instrumentation.ts): accept console session cookies.
import "../../lib/auth/session";
import { closeDb, getDb } from "../../lib/db/client";
import { apiTokens, auditEvents, flags, flagValues, namespaces, outboxEvents } from "../../lib/db/schema";
import { getEtcd } from "../../lib/etcd/client";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { createTestEnv, type TestEnv } from "./test-env";
import type { RouteSpec } from "../../lib/http/route-spec";
import { ALL_ROUTES } from "../../lib/http/api-registry";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const BASE_URL = "http://mizuflow.test";

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** Raw body (string or stream); sent with content-type application/json unless headers say otherwise. */
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke into arbitrary JSON
  json: any;
  text: string;
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export function matchRoute(method: string, pathname: string): { spec: RouteSpec; params: Record<string, string> } | null {
  const segs = pathname.split("/").filter(Boolean);
  for (const spec of ALL_ROUTES) {
    if (spec.method !== method) continue;
    const pat = spec.route.split("/").filter(Boolean);
    if (pat.length !== segs.length) continue;
    const params: Record<string, string> = {};
    if (pat.every((p, i) => (p.startsWith("[") ? ((params[p.slice(1, -1)] = decodeURIComponent(segs[i]!)), true) : p === segs[i]))) {
      return { spec, params };
    }
  }
  return null;
}

export async function loadHandler(spec: RouteSpec): Promise<Handler> {
  const file = path.join(ROOT, "app", ...spec.route.split("/").filter(Boolean), "route.ts");
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, Handler | undefined>;
  const handler = mod[spec.method];
  if (!handler) throw new Error(`${file} does not export ${spec.method}`);
  return handler;
}

export interface ApiHarness {
  env: TestEnv;
  call(method: string, pathAndQuery: string, opts?: CallOptions): Promise<ApiResponse>;
  token(input: { role: "admin" | "editor" | "reviewer" | "viewer"; namespaces: string[] | null; superAdmin?: boolean; name?: string }): Promise<string>;
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startApiHarness(): Promise<ApiHarness> {
  const env = await createTestEnv();
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.ETCD_ENDPOINTS = env.etcdEndpoints.join(",");
  process.env.ETCD_PREFIX = env.etcdPrefix;
  process.env.IMMEDIATE_PUBLISH = "on";

  async function call(method: string, pathAndQuery: string, opts: CallOptions = {}): Promise<ApiResponse> {
    const url = new URL(pathAndQuery, BASE_URL);
    const match = matchRoute(method, url.pathname);
    if (!match) throw new Error(`no route for ${method} ${url.pathname}`);
    const headers = new Headers(opts.headers);
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    let body: BodyInit | undefined = opts.body;
    if (opts.json !== undefined) body = JSON.stringify(opts.json);
    if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    const init: RequestInit & { duplex?: "half" } = { method, headers, body };
    if (body instanceof ReadableStream) init.duplex = "half";
    const handler = await loadHandler(match.spec);
    const res = await handler(new Request(url, init), { params: Promise.resolve(match.params) });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  return {
    env,
    call,
    async token(input) {
      const made = await createApiToken({ ctx: env.ctx(), input: { name: input.name ?? `test ${input.role}`, ...input } });
      return made.token;
    },
    async counts() {
      const db = env.db;
      const n = async (t: MySqlTable) => (await db.select({ n: count() }).from(t))[0]!.n;
      return {
        namespaces: await n(namespaces),
        flags: await n(flags),
        flagValues: await n(flagValues),
        auditEvents: await n(auditEvents),
        outboxEvents: await n(outboxEvents),
        apiTokens: await n(apiTokens),
      };
    },
    async close() {
      clearApiTokenCache();
      // Let fire-and-forget work (immediate publishes, last-used touches) settle before closing.
      await new Promise((r) => setTimeout(r, 100));
      await closeDb(getDb()).catch(() => {});
      getEtcd().client.close();
      // Forget the closed process singletons in case this worker process runs another file.
      const g = globalThis as Record<string, unknown>;
      for (const k of ["mizuflowDb", "mizuflowEtcd", "mizuflowImmediatePublisher"]) delete g[k];
      await env.cleanup();
    },
  };
}
