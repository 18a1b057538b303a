import { mkdtemp, rm } from "node:fs/promises";
import mysql from "mysql2/promise";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, startMariaDb, type EtcdHandle, type MariaDbHandle } from "../../scripts/lib/local-services";
import { clearApiTokenCache } from "../../lib/auth/api-token-auth";
import { users } from "../../lib/db/schema";
import { apiTokenRoutes, environmentRoutes, flagRoutes, namespaceRoutes, sdkKeyRoutes, systemRoutes, valueRoutes } from "../../lib/http/api-registry";
import type { RouteSpec } from "../../lib/http/route-spec";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { etcdDrift } from "../support/etcd-drift";
import { settle } from "../support/fingerprint";
import { callRoute, errorBodyProblems, pointAppAt, resetAppSingletons, sessionCookieFor, type Credential, type RouteCall } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { openSse, type SseProbe } from "./sse-probe";

/**
 * Guarantee (invariant 3 for MySQL): with the database down (killed, or frozen so connections hang),
 * every admin API call answers 503 with a clear message and no internals, within a bounded time
 * (no hanging on a dead pool); SDK streams that are open keep being served from etcd; once MySQL is
 * back, writes go through at once, everything committed before the outage is still there, and etcd
 * equals MySQL again.
 *
 * Runs its own MariaDB (durable commits) and etcd, so it can kill them without disturbing others.
 */
const FAIL_FAST_MS = 5_000;
const FLAGS = 12;

let base: string;
let db: MariaDbHandle;
let etcd: EtcdHandle;
let env: TestEnv;
let stream: StreamServer;
let sse: SseProbe;
let sdkKey: string;
let admin: Credential;
let session: Credential;
/** namespace/key -> environment -> { value, version } as committed before the outage. */
let committed: Record<string, Record<string, { value: unknown; version: number }>>;
const timings: Record<string, number[]> = {};

async function api(spec: RouteSpec, call: RouteCall = {}) {
  return callRoute(spec, { credential: admin, ...call });
}

/** Every write (and a read) the admin API offers, as it would be called during an outage. */
function outageCalls(tag: string): [string, RouteSpec, RouteCall][] {
  return [
    ["set value", valueRoutes.setValue, { params: { namespace: "shop", key: "f0", environment: "production" }, json: { value: tag.length } }],
    ["create flag", flagRoutes.create, { json: { namespace: "shop", key: `during-${tag}`, type: "boolean" } }],
    ["update flag", flagRoutes.update, { params: { namespace: "shop", key: "f1" }, json: { description: tag } }],
    ["archive flag", flagRoutes.archive, { params: { namespace: "shop", key: "f2" }, json: { archived: true } }],
    ["delete flag", flagRoutes.delete, { params: { namespace: "shop", key: "f3" } }],
    ["create namespace", namespaceRoutes.create, { json: { key: `ns-${tag}`, name: "N" } }],
    ["create environment", environmentRoutes.create, { json: { key: `env-${tag}`, name: "E" } }],
    ["create api token", apiTokenRoutes.create, { json: { name: tag, role: "viewer", namespaces: ["shop"] } }],
    ["revoke api token", apiTokenRoutes.revoke, { params: { id: "999999" } }],
    ["create sdk key", sdkKeyRoutes.create, { json: { name: tag, environment: "production", namespaces: ["shop"] } }],
    ["read flag", flagRoutes.get, { params: { namespace: "shop", key: "f0" } }],
    ["list flags", flagRoutes.list, {}],
  ];
}

async function expectUnavailable(tag: string, credential: Credential = admin, concurrent = false): Promise<void> {
  const problems: string[] = [];
  const calls = outageCalls(tag);
  const results = concurrent
    ? await Promise.all(calls.map(([, spec, call]) => callRoute(spec, { ...call, credential })))
    : [];
  for (const [i, [name, spec, call]] of calls.entries()) {
    const res = concurrent ? results[i]! : await callRoute(spec, { ...call, credential });
    (timings[tag] ??= []).push(res.ms);
    const where = `${name} (${tag})`;
    if (res.status !== 503) problems.push(`${where}: ${res.status} ${res.text.slice(0, 160)}`);
    else {
      if (res.json?.error?.code !== "unavailable" || !/unavailable/i.test(res.json.error.message)) problems.push(`${where}: unclear message ${res.text}`);
      if (!res.headers.get("retry-after")) problems.push(`${where}: no Retry-After`);
      problems.push(...errorBodyProblems(res).map((p) => `${where}: ${p}`));
    }
    if (res.ms > FAIL_FAST_MS) problems.push(`${where}: took ${Math.round(res.ms)} ms`);
  }
  expect(problems).toEqual([]);
}

async function snapshotOfCommitted() {
  const res = await api(flagRoutes.list, { query: { namespace: "shop", limit: "500" } });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    res.json.flags.map((f: { namespace: string; key: string; values: Record<string, { value: unknown; version: number }> }) => [
      `${f.namespace}/${f.key}`,
      Object.fromEntries(Object.entries(f.values).map(([e, v]) => [e, { value: v.value, version: v.version }])),
    ]),
  );
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-outage-"));
  [db, etcd] = await Promise.all([
    startMariaDb({ baseDir: path.join(base, "mariadb"), durable: true }),
    startEtcd({ baseDir: path.join(base, "etcd") }),
  ]);
  env = await createTestEnv({ mysqlUrl: db.url, etcdEndpoints: etcd.endpoints });
  pointAppAt(env);
  // The bootstrap token and user; everything else goes through the API like an operator would.
  const { createApiToken } = await import("../../lib/api-tokens/create-api-token");
  admin = { kind: "token", token: (await createApiToken({ ctx: env.ctx(), input: { name: "ops", role: "admin", namespaces: null, superAdmin: true } })).token };
  const [u] = await env.db.insert(users).values({ email: "ops@example.test", name: "Ops", passwordHash: null, isSuperAdmin: true });
  session = { kind: "session", cookie: await sessionCookieFor({ id: Number(u.insertId), email: "ops@example.test", passwordHash: null }), sameOrigin: true };
  for (const key of ["staging", "production"]) expect((await api(environmentRoutes.create, { json: { key, name: key } })).status).toBe(201);
  expect((await api(namespaceRoutes.create, { json: { key: "shop", name: "Shop" } })).status).toBe(201);
  for (let i = 0; i < FLAGS; i++) {
    expect((await api(flagRoutes.create, { json: { namespace: "shop", key: `f${i}`, type: "number" } })).status).toBe(201);
    for (let v = 1; v <= 3; v++) {
      const res = await api(valueRoutes.setValue, { params: { namespace: "shop", key: `f${i}`, environment: v % 2 ? "production" : "staging" }, json: { value: i * 10 + v } });
      expect(res.status).toBe(200);
    }
  }
  expect(await settle(env.db)).toBe(true);
  committed = await snapshotOfCommitted();
  sdkKey = (await createSdkKey({ ctx: env.ctx(), input: { name: "outage sdk", environment: "production", namespaces: null } })).key;
  stream = await startStreamServer({ db: env.db, root: env.etcd.root, heartbeatMs: 200, revocationCheckMs: 300, rateLimit: false });
  sse = await openSse(`http://127.0.0.1:${stream.port}/api/sdk/v1/stream`, sdkKey);
}, 120_000);

afterAll(async () => {
  const ms = Object.entries(timings).map(([k, v]) => `${k}: max ${Math.round(Math.max(...v))} ms`);
  console.log(`mysql outage: ${ms.join(", ")}`);
  sse?.close();
  await stream?.close().catch(() => {});
  await resetAppSingletons();
  await env?.cleanup().catch(() => {});
  await Promise.all([db?.stop(), etcd?.stop()]);
  if (base) await rm(base, { recursive: true, force: true });
});

describe("MySQL outage", () => {
  it("serves normally before the outage (stream open, snapshot from etcd)", async () => {
    await expect.poll(() => sse.events.some((e) => e.event === "snapshot"), { timeout: 5_000 }).toBe(true);
    const snap = JSON.parse(sse.events.find((e) => e.event === "snapshot")!.data);
    expect(snap.flags).toHaveLength(FLAGS);
  });

  it("a write caught mid-transaction by the crash answers 503 and is not applied", async () => {
    // Hold the flag's row lock from another connection so the API's transaction is open and waiting
    // when MariaDB dies: its ROLLBACK then fails on a dead connection (no error code, only `fatal`).
    const holder = await mysql.createConnection({ uri: env.databaseUrl });
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM flags WHERE `key` = 'f5' FOR UPDATE");
    const inFlight = api(valueRoutes.setValue, { params: { namespace: "shop", key: "f5", environment: "production" }, json: { value: -1 } });
    await new Promise((r) => setTimeout(r, 300));
    await db.kill();
    holder.destroy();
    const res = await inFlight;
    expect(res.status, res.text).toBe(503);
    expect(errorBodyProblems(res)).toEqual([]);
  });

  it("with MariaDB killed, every call fails fast with 503 and a clear message", async () => {
    await expectUnavailable("killed");
    // Once the token cache has expired the credential itself cannot be checked: still 503, not 401/500.
    clearApiTokenCache();
    await expectUnavailable("killed-uncached");
    // A console session needs the database to load its roles: also 503.
    await expectUnavailable("killed-session", session);
    const health = await callRoute(systemRoutes.health);
    expect(health.status).toBe(503);
    expect(health.json.checks.database.ok).toBe(false);
    expect(health.json.checks.etcd.ok).toBe(true);
  });

  it("keeps open SDK streams serving from etcd while MySQL is down", async () => {
    const beats = sse.heartbeats;
    // Several revocation checks (every 300 ms) fail against the dead database meanwhile.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sse.closed).toBe(false);
    expect(sse.heartbeats).toBeGreaterThan(beats + 3);
    expect(stream.core.openStreams).toBe(1);
  });

  it("answers new SDK snapshot requests with 503 (key unverifiable) rather than an error", async () => {
    const res = await fetch(`http://127.0.0.1:${stream.port}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${sdkKey}` } });
    // Documented behaviour of lib/delivery: keys are checked against MySQL (1 s cache).
    expect([200, 503]).toContain(res.status);
    if (res.status === 503) expect((await res.json()).error.message).toMatch(/retry/i);
  });

  it("after MariaDB restarts, writes go through at once and nothing committed before is lost", async () => {
    await db.restart();
    const write = await api(valueRoutes.setValue, { params: { namespace: "shop", key: "f0", environment: "production" }, json: { value: 999 } });
    expect(write.status, write.text).toBe(200);
    expect(write.json.values.production.version).toBe(committed["shop/f0"]!.production!.version + 1);
    const now = await snapshotOfCommitted();
    for (const [ref, envs] of Object.entries(committed)) {
      for (const [e, v] of Object.entries(envs)) {
        if (ref === "shop/f0" && e === "production") continue;
        expect(now[ref]?.[e], `${ref} in ${e}`).toEqual(v);
      }
    }
    // Nothing the refused calls tried is there.
    expect(Object.keys(now).filter((k) => k.includes("during-"))).toEqual([]);
    expect(await settle(env.db)).toBe(true);
    expect(await etcdDrift(env.db, env.etcd.root)).toEqual([]);
  });

  it("the open stream receives the first change after the outage", async () => {
    await expect
      .poll(() => sse.events.some((e) => e.event === "put" && JSON.parse(e.data).key === "f0" && JSON.parse(e.data).value === 999), { timeout: 5_000 })
      .toBe(true);
    const ids = sse.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(sse.closed).toBe(false);
  });

  it("with MariaDB frozen (connections open, no answers), calls still fail fast with 503", async () => {
    // Warm the pool so requests find idle connections whose server no longer answers.
    await Promise.all(Array.from({ length: 4 }, () => api(flagRoutes.get, { params: { namespace: "shop", key: "f1" } })));
    process.kill(db.pid!, "SIGSTOP");
    try {
      clearApiTokenCache();
      // All at once: more requests than idle connections, so some must connect to the frozen server.
      await expectUnavailable("frozen", admin, true);
    } finally {
      process.kill(db.pid!, "SIGCONT");
    }
    const write = await api(valueRoutes.setValue, { params: { namespace: "shop", key: "f4", environment: "staging" }, json: { value: 4242 } });
    expect(write.status, write.text).toBe(200);
    expect(await settle(env.db)).toBe(true);
    expect(await etcdDrift(env.db, env.etcd.root)).toEqual([]);
  }, 30_000);
});
