import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ALL_HANDLERS } from "../../lib/http/api-registry";
import { metrics } from "../../lib/observability/metrics";
import { startApiHarness, type ApiHarness } from "../../tests/support/api-test-harness";
import type { ClientLimits } from "./client-limits";
import { startStreamServer, type StreamServer } from "./server";
import { newSdkKey, putFlag, seedScopes } from "../../tests/support/stream-server/fixtures";
import { connectRaw, type RawClient } from "../../tests/support/stream-server/raw-client";
import { openSse } from "../../tests/support/stream-server/sse-client";

// Issue 12, item 1: the worker's public port (SDK streams + admin API) must not let a client that
// sends its request slowly, or not at all, hold a connection or memory. Each case below held its
// connection open indefinitely before the fix (body read before authentication, requestTimeout 0,
// deadlines checked every 30 s, no cap on pending connections).

let h: ApiHarness;
let token: string;
let sdkKey: string;
let server: StreamServer | null = null;
const clients: RawClient[] = [];

beforeAll(async () => {
  h = await startApiHarness();
  token = await h.token({ role: "admin", namespaces: null, superAdmin: true });
  await seedScopes(h.env.db, { environments: ["prod"], namespaces: ["checkout"] });
  sdkKey = (await newSdkKey(h.env.db, "prod", ["checkout"])).key;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.close();
  server = null;
});
afterAll(async () => {
  await h?.close();
});

async function start(clientLimits?: Partial<ClientLimits>): Promise<number> {
  server = await startStreamServer({ db: h.env.db, root: h.env.etcd.root, rateLimit: false, heartbeatMs: 200, adminApi: ALL_HANDLERS, clientLimits });
  return server.port;
}

async function raw(port: number): Promise<RawClient> {
  const c = await connectRaw(port);
  clients.push(c);
  return c;
}

const closedAtCap = async () => (await metrics.pendingConnectionsClosed.get()).values.reduce((n, v) => n + v.value, 0);

const postHead = (length: number, auth?: string) =>
  `POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${auth ? `Authorization: Bearer ${auth}\r\n` : ""}\r\n`;

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

describe("slow and idle clients on the stream server's public port", () => {
  it("answers an admin API write without credentials with 401 before reading its body, and closes the connection", async () => {
    const port = await start(); // production defaults
    const c = await raw(port);
    c.write(postHead(200_000) + "{");
    c.trickle('"key":"x"', 500);
    await within(c.closed, 3_000, "connection closed");
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(c.received()).toMatch(/connection: close/i);
  });

  // The authorisation row that would have caught issue 12 item 1: every admin API route that takes
  // a body, called on the sidecar without valid credentials, is refused before its body is read.
  it("refuses every body-taking admin API route without valid credentials before reading the body (401, connection closed)", async () => {
    const port = await start();
    const writes = ALL_HANDLERS.filter((x) => x.spec.method !== "GET");
    expect(writes.length).toBeGreaterThan(10);
    for (const handler of writes) {
      const path = handler.spec.route.replace(/\[[^\]]+\]/g, "x");
      for (const auth of [undefined, "mf_admin_not-a-real-token"]) {
        const c = await raw(port);
        c.write(`${handler.spec.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${auth ? `Authorization: Bearer ${auth}\r\n` : ""}\r\n{`);
        await within(c.closed, 3_000, `${handler.spec.method} ${path} (${auth ? "bad token" : "anonymous"}) closed`);
        expect(c.received(), `${handler.spec.method} ${path}`).toMatch(/^HTTP\/1\.1 401 /);
      }
    }
  });

  it("gives an authenticated body requestTimeout to arrive: a trickled body gets 408 and the connection closes", async () => {
    const port = await start({ headersTimeoutMs: 400, requestTimeoutMs: 1_000 });
    const c = await raw(port);
    const body = JSON.stringify({ key: "slow", name: "Slow" });
    c.write(postHead(body.length, token));
    c.trickle(body, 150); // ~3.5 s for the whole body
    const ms = await within(c.closed, 4_000, "connection closed");
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(1_000);
    // Nothing was created from the part that arrived.
    expect((await h.call("GET", "/api/v1/namespaces/slow", { token })).status).toBe(404);
  });

  it("closes a connection whose headers do not complete within headersTimeout (slowloris)", async () => {
    const port = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const c = await raw(port);
    c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    c.trickle("X-Padding: " + "a".repeat(100), 100);
    const ms = await within(c.closed, 2_500, "connection closed");
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(c.received()).not.toMatch(/200 OK/);
  });

  it("never applies the request deadlines to a response: an SDK stream outlives them and keeps receiving changes", async () => {
    const port = await start({ headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 200 });
    const stream = await openSse(`http://127.0.0.1:${port}/api/sdk/v1/stream`, { authorization: `Bearer ${sdkKey}` });
    expect(stream.status).toBe(200);
    await stream.waitFor((s) => s.events().find((e) => e.event === "snapshot"), "snapshot");
    await new Promise((r) => setTimeout(r, 1_500)); // several deadline checks pass
    await putFlag(h.env.etcd.root, { environment: "prod", namespace: "checkout", key: "outlives-deadlines" }, 1, true);
    await stream.waitFor((s) => s.events().find((e) => e.event === "put" && e.data.key === "outlives-deadlines"), "the change");
    expect(stream.isEnded()).toBe(false);
    stream.close();
  });

  it("caps connections with no request in service: the oldest is closed for a newcomer, streams never are", async () => {
    const port = await start({ maxPendingConnections: 5 });
    const closedBefore = await closedAtCap();
    const streams = await Promise.all([1, 2].map(() => openSse(`http://127.0.0.1:${port}/api/sdk/v1/stream`, { authorization: `Bearer ${sdkKey}` })));
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const idle: RawClient[] = [];
    for (let i = 0; i < 12; i++) idle.push(await raw(port)); // connect and send nothing
    // The cap holds 5: the 7 oldest idle connections made room for the newer ones.
    await within(Promise.all(idle.slice(0, 7).map((c) => c.closed)), 2_000, "the 7 oldest idle connections closed");
    expect(idle.slice(7).map((c) => c.isClosed())).toEqual([false, false, false, false, false]);
    // A newcomer still gets in and is answered, pushing out the next oldest idle connection.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect((await health.json()).openStreams).toBe(2);
    await within(idle[7]!.closed, 2_000, "the next oldest idle connection closed");
    expect((await closedAtCap()) - closedBefore).toBe(8); // counted for operators
    await putFlag(h.env.etcd.root, { environment: "prod", namespace: "checkout", key: "after-cap" }, 1, true);
    for (const s of streams) {
      await s.waitFor((x) => x.events().find((e) => e.event === "put" && e.data.key === "after-cap"), "the change on every stream");
      expect(s.isEnded()).toBe(false);
      s.close();
    }
  });
});
