import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { format } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clearApiTokenCache } from "../../lib/auth/api-token-auth";
import { startApiHarness, loadHandler, BASE_URL, type ApiHarness } from "../support/api-test-harness";
import { flagRoutes } from "../../lib/flags/api";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { newSdkKey, putFlag, seedScopes } from "../support/stream-server/fixtures";
import { startTcpProxy } from "../support/stream-server/tcp-proxy";

/**
 * Guarantee: logs never contain secrets. The worker (with its SDK stream server) runs as in
 * production, as a child process logging at debug level, and the admin API route handlers run with
 * every console method captured. Requests carry SDK keys and admin tokens in headers and in query
 * strings (`?sdk_key=`, `?token=`), valid and invalid, including ones that fail with 4xx, 503 (the
 * database taken away through a TCP proxy) and 500; afterwards no log line holds any of them, nor
 * their hashes (drizzle puts a failed query's parameters in its error message).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const STREAM = "/api/sdk/v1/stream";
const FLAGS = "/api/sdk/v1/flags";

let api: ApiHarness;
let dbProxy: Awaited<ReturnType<typeof startTcpProxy>>;
const secrets: string[] = [];
const remember = <T extends string>(s: T): T => (secrets.push(s), s);
const randomTail = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

beforeAll(async () => {
  api = await startApiHarness();
  await seedScopes(api.env.db, { environments: ["prod"], namespaces: ["app"] });
  await putFlag(api.env.etcd.root, { environment: "prod", namespace: "app", key: "f" }, 1, true);
  const u = new URL(api.env.databaseUrl);
  dbProxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 3306) });
  // The route handlers' process-wide pool goes through the proxy too, so the database can be taken
  // away from them; and sessions get a real secret (read once, at the first request).
  process.env.DATABASE_URL = viaProxy(api.env.databaseUrl);
  process.env.AUTH_SECRET = remember(`auth-secret-${randomTail()}`);
});

afterAll(async () => {
  await dbProxy?.close();
  await api?.close();
});

/**
 * What would give a secret away: the whole of it, its random part, or its SHA-256 (the stored form
 * of tokens and SDK keys, which a failed query's parameters would otherwise carry into the log).
 */
function leaks(logs: string): string[] {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  return secrets.filter((s) => logs.includes(s) || logs.includes(s.slice(-24)) || logs.includes(sha(s)));
}

function viaProxy(url: string): string {
  const u = new URL(url);
  u.host = new URL(dbProxy.endpoint).host;
  return u.toString();
}

describe("worker and SDK stream server logs", () => {
  let child: ChildProcess;
  let output = "";

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  });

  it("hold no SDK key or token, whatever requests carried them and however they failed", async () => {
    child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        AUTH_SECRET: remember(`auth-secret-${randomTail()}`),
        DATABASE_URL: viaProxy(api.env.databaseUrl),
        ETCD_ENDPOINTS: api.env.etcdEndpoints.join(","),
        ETCD_PREFIX: api.env.etcdPrefix,
        LOG_LEVEL: "debug",
        WORKER_ID: "log-redaction",
        WORKER_METRICS_PORT: "0",
        WORKER_METRICS_HOST: "127.0.0.1",
        STREAM_PORT: "0",
        STREAM_HOST: "127.0.0.1",
        RECONCILE_INTERVAL_MS: "500",
        RELAY_POLL_INTERVAL_MS: "50",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /"event":"stream_server\.listening"[^\n]*"port":(\d+)/.exec(output);
        if (m) (clearInterval(t), resolve(Number(m[1])));
        if (child.exitCode !== null) (clearInterval(t), reject(new Error(`worker exited:\n${output}`)));
      }, 50);
    });
    const base = `http://127.0.0.1:${port}`;
    const good = (await newSdkKey(api.env.db, "prod", null)).key;
    const revoked = await newSdkKey(api.env.db, "prod", null);
    await revokeSdkKey({ ctx: api.env.ctx(), input: { id: revoked.id } });
    const adminToken = remember(await api.token({ role: "admin", namespaces: null, superAdmin: true }));
    remember(good);
    remember(revoked.key);
    const unknown = remember(`mf_sdk_${randomTail()}`);
    const malformed = remember(`mf_sdk_${randomTail()}-and-more-${randomTail()}`);

    const hit = async (p: string, headers: Record<string, string> = {}) => {
      const ac = new AbortController();
      const res = await fetch(base + p, { headers, signal: ac.signal });
      const status = res.status;
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) await res.body!.getReader().read();
      ac.abort();
      return status;
    };
    const q = encodeURIComponent;
    const statuses: number[] = [];
    for (const key of [good, revoked.key, unknown, malformed]) {
      statuses.push(await hit(`${STREAM}?sdk_key=${q(key)}`));
      statuses.push(await hit(STREAM, { authorization: `Bearer ${key}` }));
      statuses.push(await hit(`${FLAGS}?sdk_key=${q(key)}&token=${q(adminToken)}`, { "last-event-id": key }));
      statuses.push(await hit(`/nowhere?sdk_key=${q(key)}`, { authorization: `Bearer ${adminToken}` }));
      statuses.push(await hit(`/metrics?sdk_key=${q(key)}`));
    }
    expect(statuses).toContain(200);
    expect(statuses).toContain(401);
    expect(statuses).toContain(403);
    expect(statuses).toContain(404);

    // Take the database away: verifying a key nobody has used yet fails (503), and the relay and
    // the revocation check log their database errors.
    dbProxy.block();
    const fresh = remember(`mf_sdk_${randomTail()}`);
    expect(await hit(`${STREAM}?sdk_key=${q(fresh)}`)).toBe(503);
    expect(await hit(FLAGS, { authorization: `Bearer ${remember(`mf_sdk_${randomTail()}`)}` })).toBe(503);
    await new Promise((r) => setTimeout(r, 1_500));
    dbProxy.unblock();

    expect(output, "the worker logged its database trouble").toMatch(/"level":"(warn|error)"/);
    expect(output).toMatch(/SDK key verification failed/);
    expect(leaks(output)).toEqual([]);
  }, 30_000);
});

describe("admin API logs", () => {
  it("hold no token or key from headers, query strings or bodies, for 2xx, 4xx, 503 and 500 answers", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(format(...args));
    const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) => vi.spyOn(console, m).mockImplementation(capture));
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => (lines.push(String(c)), true));
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (lines.push(String(c)), true));
    try {
      const token = remember(await api.token({ role: "admin", namespaces: null, superAdmin: true }));
      const wrong = remember(`mf_admin_${randomTail()}`);
      const sdkKey = remember(`mf_sdk_${randomTail()}`);
      const q = `?token=${wrong}&sdk_key=${sdkKey}&access_token=${token}`;
      const statuses = [
        (await api.call("GET", "/api/v1/flags", { token })).status,
        (await api.call("GET", `/api/v1/flags${q}`, { token })).status,
        (await api.call("GET", `/api/v1/flags${q}`, { token: wrong })).status,
        (await api.call("GET", `/api/v1/flags${q}`, { headers: { authorization: `Bearer ${token}x` } })).status,
        (await api.call("GET", `/api/v1/flags${q}`, { headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString("base64")}` } })).status,
        (await api.call("GET", `/api/v1/flags${q}`, { headers: { cookie: `next-auth.session-token=${token}` } })).status,
        (await api.call("POST", `/api/v1/flags${q}`, { token, body: `{"namespace":"${sdkKey}","token":"${token}"` })).status,
        (await api.call("POST", `/api/v1/flags${q}`, { token, json: { namespace: "app", key: sdkKey, type: "boolean", token } })).status,
      ];
      expect(statuses).toEqual(expect.arrayContaining([200, 401, 400, 422]));

      // 500: a handler fails unexpectedly (here: called with a method it was not declared for).
      const get = await loadHandler(flagRoutes.list);
      const res500 = await get(new Request(`${BASE_URL}/api/v1/flags${q}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
      expect(res500.status).toBe(500);

      // 503: the database is gone (the token is no longer cached, so it must be looked up).
      clearApiTokenCache();
      dbProxy.block();
      try {
        expect((await api.call("GET", `/api/v1/flags${q}`, { token })).status).toBe(503);
        // The Next.js SDK route handlers log through their own delivery logger.
        const sdkFlags = (await import("../../app/api/sdk/v1/flags/route")).GET;
        expect((await sdkFlags(new Request(`${BASE_URL}/api/sdk/v1/flags${q}`))).status).toBe(503);
        expect((await sdkFlags(new Request(`${BASE_URL}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${remember(`mf_sdk_${randomTail()}`)}` } }))).status).toBe(503);
        expect((await api.call("POST", `/api/v1/flags${q}`, { token, json: { namespace: "app", key: "x", type: "boolean", token } })).status).toBe(503);
      } finally {
        dbProxy.unblock();
      }
    } finally {
      for (const s of [...spies, stderr, stdout]) s.mockRestore();
    }
    const logs = lines.join("\n");
    expect(logs, "the 500 and the 503 were logged").toMatch(/request failed/);
    expect(logs, "the SDK route's failed key check was logged").toMatch(/SDK key verification failed/);
    expect(leaks(logs)).toEqual([]);
  });
});
