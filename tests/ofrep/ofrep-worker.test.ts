import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OpenFeature, ErrorCode, type Client, type JsonValue } from "@openfeature/server-sdk";
import { EventSource } from "eventsource";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { flagRevision, newSdkKey, putFlag, seedScopes, type FlagRef } from "../support/stream-server/fixtures";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";
import { expectOfrepResponse } from "./ofrep-schemas";

/**
 * OFREP on the worker's node:http server, driven by the published @openfeature/ofrep-provider
 * (unchanged) and by raw requests; every response is checked against the protocol's schemas.
 */
let env: TestEnv;
let server: StreamServer;
let base: string;
let clientKey: string;

let serverKey: string;
const ref = (namespace: string, key: string): FlagRef => ({ environment: "prod", namespace, key });

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  expectOfrepResponse(path === "/ofrep/v1/evaluate/flags" ? "bulk" : "single", res.status, json);
  return { status: res.status, headers: res.headers, json: json as Record<string, any> };
}

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod", "staging"], namespaces: ["checkout", "search"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root, heartbeatMs: 150, revocationCheckMs: 200 });
  base = `http://127.0.0.1:${server.port}`;
  const c = await createSdkKey({
    ctx: { db: env.db, actor: SYSTEM_ACTOR },
    input: { name: "web", environment: "prod", namespaces: ["checkout"], kind: "client", allowedOrigins: ["https://shop.example"] },
  });
  clientKey = c.key;

  serverKey = (await newSdkKey(env.db, "prod", null)).key;
  await putFlag(env.etcd.root, ref("checkout", "new-flow"), 1, true);
  await putFlag(env.etcd.root, ref("checkout", "banner"), 1, "blue", "string");
  await putFlag(env.etcd.root, ref("checkout", "limits"), 1, { max: 3 }, "json");
  await putFlag(env.etcd.root, ref("checkout", "ratio"), 1, 0.25, "number");
  await putFlag(env.etcd.root, ref("search", "secret"), 1, "hidden", "string");
  await putFlag(env.etcd.root, { environment: "staging", namespace: "checkout", key: "new-flow" }, 1, false);
  const rev = await flagRevision(env.etcd.root, ref("search", "secret"));
  await waitFor(() => server.hub.currentRevision >= rev, "the hub to apply the flags");
});
afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
  await env?.cleanup();
});

describe("the published OFREP server provider against the worker", () => {
  let client: Client;
  beforeAll(async () => {
    await OpenFeature.setProviderAndWait("worker", new OFREPProvider({ baseUrl: base, headers: [["Authorization", `Bearer ${clientKey}`]] }));
    client = OpenFeature.getClient("worker");
  });

  it("evaluates typed flags with reason and metadata, by namespace/key (raw or %2F) and by bare key for a one-namespace key", async () => {
    const ctx = { targetingKey: "user-1", plan: "pro" };
    const b = await client.getBooleanDetails("checkout/new-flow", false, ctx);
    expect(b).toMatchObject({ value: true, reason: "STATIC", flagMetadata: { namespace: "checkout", version: 1, flagType: "boolean" } });
    expect(b.errorCode).toBeUndefined();
    expect(await client.getStringValue("checkout%2Fbanner", "x", ctx)).toBe("blue");
    expect(await client.getStringValue("banner", "x", ctx)).toBe("blue");
    expect(await client.getObjectValue("checkout/limits", {}, ctx)).toEqual({ max: 3 });
    expect(await client.getNumberValue("checkout/ratio", 0, ctx)).toBe(0.25);
  });

  it("maps errors as the spec says: not found, out of scope, type mismatch, invalid context", async () => {
    const ctx = { targetingKey: "user-1" };
    expect(await client.getBooleanDetails("checkout/missing", false, ctx)).toMatchObject({ value: false, errorCode: ErrorCode.FLAG_NOT_FOUND });
    // Another namespace's flag exists, but this key must not learn even that.
    expect(await client.getStringDetails("search/secret", "d", ctx)).toMatchObject({ value: "d", errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await client.getStringDetails("checkout/new-flow", "d", ctx)).toMatchObject({ value: "d", errorCode: ErrorCode.TYPE_MISMATCH });
    let deep: JsonValue = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { n: deep };
    expect(await client.getBooleanDetails("checkout/new-flow", false, { targetingKey: "u", deep })).toMatchObject({ value: false, errorCode: ErrorCode.INVALID_CONTEXT });
  });
});

describe("OFREP over raw HTTP", () => {
  const auth = () => ({ authorization: `Bearer ${clientKey}` });

  it("authenticates by Bearer or X-API-Key: 401 without or with an unknown key, 403 once revoked", async () => {
    expect((await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} })).status).toBe(401);
    expect((await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { "x-api-key": `mf_sdk_${"A".repeat(43)}` })).status).toBe(401);
    expect((await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { "x-api-key": clientKey })).json).toMatchObject({ value: true });
    const doomed = await newSdkKey(env.db, "prod", ["checkout"]);
    await revokeSdkKey({ ctx: env.ctx(), input: { id: doomed.id } });
    expect((await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { authorization: `Bearer ${doomed.key}` })).status).toBe(403);
  });

  it("bounds the context: 413 over 8 KiB, 400 past 16 levels or with a non-string targetingKey, PARSE_ERROR for non-JSON", async () => {
    const big = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: { blob: "x".repeat(9000) } }, auth());
    expect(big.status).toBe(413);
    expect(big.json.errorDetails).toMatch(/^context/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 17; i++) deep = { n: deep };
    const tooDeep = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: deep }, auth());
    expect(tooDeep).toMatchObject({ status: 400, json: { errorCode: "INVALID_CONTEXT" } });
    expect(tooDeep.json.errorDetails).toMatch(/^context\.n\.n/);
    expect((await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: 7 } }, auth())).json).toMatchObject({ errorCode: "INVALID_CONTEXT", errorDetails: expect.stringMatching(/targetingKey/) });
    expect((await post("/ofrep/v1/evaluate/flags", "{not json", auth())).json).toMatchObject({ errorCode: "PARSE_ERROR" });
  });

  it("bulk: only the key's scope, no rules, an ETag answered with 304 until something in the scope changes", async () => {
    const first = await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, auth());
    expect(first.status).toBe(200);
    expect(first.json.flags.map((f: { key: string }) => f.key).sort()).toEqual(["checkout/banner", "checkout/limits", "checkout/new-flow", "checkout/ratio"]);
    expect(JSON.stringify(first.json)).not.toMatch(/rules|segments|hidden/);
    expect(first.json.eventStreams[0]).toMatchObject({ type: "sse", endpoint: { requestUri: expect.stringMatching(/^\/ofrep\/v1\/events\?sdk_key=/) } });
    const etag = first.headers.get("etag")!;
    const again = await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...auth(), "if-none-match": etag });
    expect(again.status).toBe(304);
    // A change outside the key's scope (another namespace, another environment) keeps the ETag.
    await putFlag(env.etcd.root, ref("search", "secret"), 2, "still hidden", "string");
    await putFlag(env.etcd.root, { environment: "staging", namespace: "checkout", key: "new-flow" }, 2, true);
    const outside = await flagRevision(env.etcd.root, { environment: "staging", namespace: "checkout", key: "new-flow" });
    await waitFor(() => server.hub.currentRevision >= outside, "the hub to apply the out-of-scope changes");
    expect((await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...auth(), "if-none-match": etag })).status).toBe(304);
    // Another context is another evaluation: no 304 for it.
    expect((await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u2" } }, { ...auth(), "if-none-match": etag })).status).toBe(200);
    await putFlag(env.etcd.root, ref("checkout", "banner"), 2, "green", "string");
    const inside = await flagRevision(env.etcd.root, ref("checkout", "banner"));
    await waitFor(() => server.hub.currentRevision >= inside, "the hub to apply the in-scope change");
    const changed = await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u1" } }, { ...auth(), "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.json.flags.find((f: { key: string }) => f.key === "checkout/banner").value).toBe("green");
  });

  it("pushes refetchEvaluation on a change in scope (not outside it), resumable with Last-Event-ID", async () => {
    const url = `${base}/ofrep/v1/events?sdk_key=${encodeURIComponent(clientKey)}`;
    const got: { id: string; data: Record<string, unknown> }[] = [];
    const es = new EventSource(url);
    es.onmessage = (m) => got.push({ id: m.lastEventId, data: JSON.parse(m.data) });
    await new Promise<void>((resolve, reject) => {
      es.onopen = () => resolve();
      es.onerror = () => reject(new Error("event stream failed"));
    });
    await putFlag(env.etcd.root, ref("search", "secret"), 3, "x", "string");
    await putFlag(env.etcd.root, ref("checkout", "new-flow"), 2, false);
    const rev = await flagRevision(env.etcd.root, ref("checkout", "new-flow"));
    await waitFor(() => got.length >= 1, "a refetchEvaluation event");
    es.close();
    expect(got).toHaveLength(1);
    expect(got[0]!.id).toBe(String(rev));
    expectOfrepResponse("event", 200, got[0]!.data);
    expect(got[0]!.data).toMatchObject({ type: "refetchEvaluation", etag: expect.stringContaining(String(rev)) });
    // Reconnecting from before the change replays one refetch at once.
    const res = await fetch(url, { headers: { "last-event-id": String(rev - 1) } });
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("refetchEvaluation")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(`id: ${rev}\nevent: message\n`);
  });

  it("refuses client keys on the flag stream and snapshot with 403 naming OFREP; server keys still use them", async () => {
    for (const path of ["/api/sdk/v1/stream", "/api/sdk/v1/flags"]) {
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${clientKey}` } });
      expect(res.status).toBe(403);
      expect((await res.json()).error.message).toMatch(/client SDK key.*OFREP/);
    }
    expect((await fetch(`${base}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${serverKey}` } })).status).toBe(200);
  });

  it("CORS: the key's origins only; preflight answered from the request alone", async () => {
    const allowed = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { ...auth(), origin: "https://shop.example" });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const other = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { ...auth(), origin: "https://evil.example" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const server = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", { context: {} }, { authorization: `Bearer ${serverKey}`, origin: "https://shop.example" });
    expect(server.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
  });

  it("fuzzed bodies and contexts get 4xx, never 5xx, and every answer matches the schema", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.record({ context: fc.jsonValue() }), fc.string()), async (body) => {
        const single = await post("/ofrep/v1/evaluate/flags/checkout/new-flow", body, auth());
        expect(single.status).toBeLessThan(500);
        const bulk = await post("/ofrep/v1/evaluate/flags", body, auth());
        expect(bulk.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});

describe("OFREP rate limits", () => {
  it("failed key checks per address use the stream's limiter: made-up keys get 429 after the burst, a valid key from that address is still served", async () => {
    const limited = await startStreamServer({ db: env.db, root: env.etcd.root, ofrepRateLimit: { perAddress: { burst: 5, perSecond: 0.01 } } });
    try {
      const url = `http://127.0.0.1:${limited.port}/ofrep/v1/evaluate/flags/checkout/new-flow`;
      const call = async (key: string | null) => {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: '{"context":{}}' });
        await res.text();
        return { status: res.status, retryAfter: res.headers.get("retry-after") };
      };
      const made = [];
      for (let i = 0; i < 8; i++) made.push(await call(i % 2 ? null : `mf_sdk_${String(i).repeat(43)}`));
      expect(made.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(Number(made.at(-1)!.retryAfter)).toBeGreaterThanOrEqual(1);
      // Only failures count per address: the same address with a real key is never limited.
      for (let i = 0; i < 10; i++) expect((await call(clientKey)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("revoking a key closes its open OFREP event streams within a second (the stream's shared revocation sweep)", async () => {
    const doomed = await createSdkKey({ ctx: { db: env.db, actor: SYSTEM_ACTOR }, input: { name: "doomed-web", environment: "prod", namespaces: ["checkout"], kind: "client", allowedOrigins: [] } });
    const res = await fetch(`${base}/ofrep/v1/events?sdk_key=${encodeURIComponent(doomed.key)}`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    await waitFor(() => server.ofrep.events.openCount >= 1, "the event stream to be open");
    const revokedAt = Date.now();
    await revokeSdkKey({ ctx: env.ctx(), input: { id: doomed.sdkKey.id } });
    for (;;) if ((await reader.read()).done) break;
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it("answers 429 with Retry-After once a key's evaluation budget is spent", async () => {
    const limited = await startStreamServer({ db: env.db, root: env.etcd.root, ofrepRateLimit: { perKey: { burst: 2, perSecond: 0.01 } } });
    try {
      const url = `http://127.0.0.1:${limited.port}/ofrep/v1/evaluate/flags/checkout/new-flow`;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${clientKey}`, "content-type": "application/json" }, body: '{"context":{}}' });
        statuses.push(res.status);
        retryAfter ??= res.headers.get("retry-after");
        await res.text();
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
