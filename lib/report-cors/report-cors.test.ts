import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { SYSTEM_ACTOR } from "../auth/actor";
import { createSdkKey } from "../sdk-keys/create-sdk-key";
import { raiseEtcdRevision } from "../../tests/support/etcd-revision";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { newSdkKey, seedScopes } from "../../tests/support/stream-server/fixtures";

/**
 * CORS of POST /api/sdk/v1/report per SDK key (report-cors.ts) on the worker's node:http server,
 * against real MariaDB and etcd: a client key's allowed origins decide what a browser may read and
 * whether its report is recorded at all; server keys keep `*` as on their stream; the preflight
 * needs no database. (The Next.js route: app/api/sdk/v1/report/route.test.ts.)
 */
const REPORT = "/api/sdk/v1/report";
const APP = "https://app.example";
let env: TestEnv;
let server: StreamServer;
let base: string;
let allowedKey: string;
let noOriginsKey: string;
let serverKey: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["checkout"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root });
  base = `http://127.0.0.1:${server.port}`;
  await raiseEtcdRevision(env.etcd.root, 50);
  const ctx = { db: env.db, actor: SYSTEM_ACTOR };
  allowedKey = (await createSdkKey({ ctx, input: { name: "spa", environment: "prod", namespaces: ["checkout"], kind: "client", allowedOrigins: [APP] } })).key;
  noOriginsKey = (await createSdkKey({ ctx, input: { name: "app-no-origins", environment: "prod", namespaces: ["checkout"], kind: "client" } })).key;
  serverKey = (await newSdkKey(env.db, "prod", ["checkout"])).key;
});
afterAll(async () => {
  await server?.close();
  await env?.cleanup();
});

/** The browser form of a report: key in the query, text/plain body (CORS-simple: no preflight). */
function report(key: string, clientId: string, origin?: string) {
  return fetch(`${base}${REPORT}?sdk_key=${encodeURIComponent(key)}`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8", ...(origin ? { origin } : {}) },
    body: JSON.stringify({ clientId, revision: 7, state: "ready", sdk: "mizuflow-js/test" }),
  });
}

describe("report endpoint CORS per SDK key", () => {
  it("guarantee: a client key's allowed origin is named in the answer and its report is recorded", async () => {
    const before = server.core.reports.table.size;
    const res = await report(allowedKey, "cors-allowed-1", APP);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("vary")).toMatch(/Origin/);
    expect(server.core.reports.table.size).toBe(before + 1);
  });

  it("guarantee: any other browser origin, or any origin for a client key with none configured (the default), gets 403 without a CORS header and nothing is recorded", async () => {
    const before = server.core.reports.table.size;
    for (const [key, origin] of [
      [allowedKey, "https://evil.example"],
      [allowedKey, "null"],
      [noOriginsKey, APP],
    ] as const) {
      const res = await report(key, `cors-refused-${Math.random().toString(36).slice(2, 10)}`, origin);
      expect(res.status).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    expect(server.core.reports.table.size).toBe(before);
  });

  it("guarantee: without an Origin (not a browser) a client key's report is recorded whatever its origins", async () => {
    const before = server.core.reports.table.size;
    expect((await report(noOriginsKey, "native-app-1")).status).toBe(204);
    expect(server.core.reports.table.size).toBe(before + 1);
  });

  it("guarantee: a server key from a browser origin gets what docs/PROTOCOL.md says: 204, recorded, Access-Control-Allow-Origin *", async () => {
    const before = server.core.reports.table.size;
    const res = await report(serverKey, "server-key-browser-1", "https://anywhere.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(server.core.reports.table.size).toBe(before + 1);
  });

  it("guarantee: answers before the key is known (unknown key: 401) carry no CORS header", async () => {
    const res = await report(`mf_sdk_${"C".repeat(43)}`, "unknown-key-1", APP);
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("guarantee: the preflight is answered from the request alone, even with MySQL unreachable, echoing the origin", async () => {
    // A server whose database cannot be reached: a POST cannot verify its key (503), the preflight still answers.
    const deadDb = createDb("mysql://nobody:nothing@127.0.0.1:1/none", 1);
    const dead = await startStreamServer({ db: deadDb, root: env.etcd.root });
    try {
      const pre = await fetch(`http://127.0.0.1:${dead.port}${REPORT}`, { method: "OPTIONS", headers: { origin: APP, "access-control-request-method": "POST", "access-control-request-headers": "authorization" } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe(APP);
      expect(pre.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
      expect(pre.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
      const post = await fetch(`http://127.0.0.1:${dead.port}${REPORT}`, { method: "POST", headers: { authorization: `Bearer ${allowedKey}`, origin: APP }, body: "{}" });
      expect(post.status).toBe(503);
    } finally {
      await dead.close();
      await deadDb.$client.end().catch(() => {});
    }
  });
});
