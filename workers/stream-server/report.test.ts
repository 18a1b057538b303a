import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientReports } from "../../lib/delivery/presence/client-report";
import type { SdkRequest } from "../../lib/delivery/stream/request-credentials";
import { readPresence } from "../../lib/delivery/presence/presence-reader";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { sdkKeyStanding, verifySdkKey } from "../../lib/sdk-keys/verify-sdk-key";
import { raiseEtcdRevision } from "../../tests/support/etcd-revision";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "./server";
import { newSdkKey, seedScopes } from "../../tests/support/stream-server/fixtures";

/**
 * POST /api/sdk/v1/report on the sidecar stream server (node:http), against real MariaDB (SDK keys)
 * and etcd (the published presence summary). The Next.js route handler shares the same core
 * (app/api/sdk/v1/report/route.test.ts).
 */
const REPORT = "/api/sdk/v1/report";
let env: TestEnv;
let server: StreamServer;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod", "staging"], namespaces: ["checkout", "search"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root });
  base = `http://127.0.0.1:${server.port}`;
  await raiseEtcdRevision(env.etcd.root, 100); // reports above etcd's revision are clamped (report-bounds.test.ts)
});
afterAll(async () => {
  await server.close();
  await env.cleanup();
});

const body = (over: Record<string, unknown> = {}) => ({ clientId: "client-0001", revision: 42, state: "ready", sdk: "mizuflow-js/test", ...over });

function post(key: string | null, payload: unknown, headers: Record<string, string> = {}) {
  return fetch(base + REPORT, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

describe("SDK revision reports on the stream server", () => {
  it("guarantee: a valid report with a valid key answers 204 and records the client under the key's environment and scope", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["search", "checkout"]);
    const res = await post(key, body({ clientId: "valid-client-1", revision: 77 }));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(server.core.reports.table.list()).toEqual([expect.objectContaining({ environment: "prod", scope: "checkout,search", revision: 77, state: "ready" })]);
    // The browser form: key in the query, text/plain body (a CORS-simple request).
    const simple = await fetch(`${base}${REPORT}?sdk_key=${key}`, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body: JSON.stringify(body({ clientId: "valid-client-2", revision: 78 })) });
    expect(simple.status).toBe(204);
    expect(server.core.reports.table.size).toBe(2);
    // Within the publish interval (2 s) the summary reaches etcd, where any process can read it.
    await waitFor(async () => (await readPresence(env.etcd.root)).countFor("prod", "search", 78).atLeast === 1, "the summary in etcd", 5_000, 100);
    expect((await readPresence(env.etcd.root)).countFor("prod", "search", 0).total).toBe(2);
    const stateClosed = await post(key, body({ clientId: "valid-client-2", revision: 78, state: "closed" }));
    expect(stateClosed.status).toBe(204);
    expect(server.core.reports.table.size).toBe(1);
  });

  it("guarantee: an invalid body is refused (422 with the fields, 400 not JSON, 413 too large) and nothing is recorded", async () => {
    const { key } = await newSdkKey(env.db, "staging", null);
    const before = server.core.reports.table.size;
    const cases: [unknown, number, string[]][] = [
      [body({ revision: -1 }), 422, ["revision"]],
      [body({ revision: 1.5 }), 422, ["revision"]],
      [body({ clientId: "short" }), 422, ["clientId"]],
      [body({ clientId: "has/slash/inside" }), 422, ["clientId"]],
      [body({ clientId: "x".repeat(65) }), 422, ["clientId"]],
      [body({ state: "asleep" }), 422, ["state"]],
      [body({ sdk: "s".repeat(65) }), 422, ["sdk"]],
      [{ clientId: "valid-but-alone" }, 422, ["revision", "state", "sdk"]],
      ["[]", 422, ["(body)"]],
      ["{not json", 400, []],
      ["", 400, []],
      [JSON.stringify(body({ sdk: "x".repeat(5000) })), 413, []],
    ];
    for (const [payload, status, fields] of cases) {
      const res = await post(key, payload);
      const json = (await res.json()) as { error: { code: string; issues?: { path: string }[] } };
      expect(res.status, JSON.stringify(payload).slice(0, 80)).toBe(status);
      if (fields.length) expect(json.error.issues?.map((i) => i.path).sort()).toEqual([...fields].sort());
    }
    expect(server.core.reports.table.size).toBe(before);
  });

  it("guarantee: a missing or unknown key gets 401, a revoked key 403, and nothing is recorded", async () => {
    const before = server.core.reports.table.size;
    expect((await post(null, body())).status).toBe(401);
    const unknown = await post(`mf_sdk_${"A".repeat(43)}`, body());
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const { key, id } = await newSdkKey(env.db, "prod", null);
    await revokeSdkKey({ ctx: env.ctx(), input: { id } });
    expect((await post(key, body())).status).toBe(403);
    expect(server.core.reports.table.size).toBe(before);
  });

  it("answers the CORS preflight for POST, and refuses other methods", async () => {
    const pre = await fetch(base + REPORT, { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const get = await fetch(base + REPORT);
    expect(get.status).toBe(400);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
  });

  it("guarantee: reports are rate limited per SDK key wherever they come from (429), other keys unaffected", async () => {
    const reports = new ClientReports({
      root: env.etcd.root,
      verify: (k) => verifySdkKey(env.db, k),
      transport: "test",
      rateLimit: { perKey: { burst: 2, perSecond: 0.01 } },
    });
    try {
      const { key } = await newSdkKey(env.db, "prod", null);
      const { key: other } = await newSdkKey(env.db, "prod", null);
      const req = (k: string, address: string): SdkRequest => ({ header: (n) => (n === "authorization" ? `Bearer ${k}` : null), query: new URLSearchParams(), address });
      const send = async (k: string, address: string, clientId: string) =>
        (await reports.handle(req(k, address), async () => new TextEncoder().encode(JSON.stringify(body({ clientId }))))).status;
      expect(await send(key, "10.0.0.1", "rl-client-1")).toBe(204);
      expect(await send(key, "10.0.0.2", "rl-client-2")).toBe(204);
      // A third address does not give the key a fresh budget.
      expect(await send(key, "10.0.0.3", "rl-client-3")).toBe(429);
      expect(await send(other, "10.0.0.1", "rl-client-4")).toBe(204);
      expect(reports.table.size).toBe(3);
    } finally {
      await reports.stop();
    }
  });

  it("guarantee: many clients of a valid key behind one address are never limited by that address", async () => {
    const { key } = await newSdkKey(env.db, "prod", null);
    // 600 reports from 127.0.0.1 in quick succession: a fleet behind one NAT address after a change.
    const statuses = await Promise.all(Array.from({ length: 600 }, (_, i) => post(key, body({ clientId: `fleet-client-${i}` })).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([204]));
  });

  it("guarantee: a flood of made-up keys from one address is cut off per address before any key lookup; keys known valid still get through", async () => {
    let madeUpLookups = 0;
    const reports = new ClientReports({
      root: env.etcd.root,
      verify: (k) => (k.startsWith("mf_sdk_made") && madeUpLookups++, verifySdkKey(env.db, k)),
      standing: (k) => sdkKeyStanding(env.db, k),
      transport: "test",
      rateLimit: { failedAuthPerAddress: { burst: 3, perSecond: 0.01 } },
    });
    try {
      const { key } = await newSdkKey(env.db, "prod", null);
      const req = (k: string): SdkRequest => ({ header: (n) => (n === "authorization" ? `Bearer ${k}` : null), query: new URLSearchParams(), address: "10.9.9.9" });
      const send = async (k: string, clientId = "nat-client-1") =>
        (await reports.handle(req(k), async () => new TextEncoder().encode(JSON.stringify(body({ clientId }))))).status;
      expect(await send(key)).toBe(204);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await send(`mf_sdk_made${String(i).repeat(39)}`));
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      expect(madeUpLookups).toBe(3);
      // Same address, its failure budget spent: the key that verified valid is still accepted.
      expect(await send(key, "nat-client-2")).toBe(204);
    } finally {
      await reports.stop();
    }
  });
});
