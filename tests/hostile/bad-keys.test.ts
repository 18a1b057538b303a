import http from "node:http";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createDb, type Db } from "../../lib/db/client";
import { DEFAULT_FAILED_AUTH_PER_ADDRESS } from "../../lib/delivery/stream/failed-auth-limit";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { newSdkKey, seedScopes } from "../support/stream-server/fixtures";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";
import { STREAM_PATH, openFds } from "../support/hostile/raw-streams";

/**
 * Guarantee: a flood of connection attempts with bad SDK keys is rejected cheaply and leaves
 * nothing behind. Each attempt gets its 401 (or 429 from the failed-authentication limit per
 * address) before any stream
 * opens; malformed keys never reach MySQL; a repeated unknown key costs at most one query per cache
 * period however many attempts arrive at once; sockets and file descriptors all go away.
 *
 * MySQL queries are counted without any mock: the stream server gets a pool of ONE connection and
 * we read that connection's own `Com_select` counter (SHOW SESSION STATUS is not itself a select).
 */
let env: TestEnv;
let db: Db;
let server: StreamServer;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function attempt(port: number, key: string, headers: Record<string, string> = {}, path = STREAM_PATH): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${key}`, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

async function flood(n: number, concurrency: number, make: (i: number) => Promise<number>): Promise<{ statuses: Map<number, number>; msPerAttempt: number }> {
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const s = await make(next++);
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    }),
  );
  return { statuses, msPerAttempt: (performance.now() - t0) / n };
}

async function selects(): Promise<number> {
  const [rows] = (await db.execute(sql`SHOW SESSION STATUS LIKE 'Com_select'`)) as unknown as [{ Value: string }[]];
  return Number(rows[0]!.Value);
}

/** Failed key checks one address may make in a flood: the burst plus the refill over the flood's duration. */
const allowance = (f: { msPerAttempt: number }, n = 1_000) =>
  DEFAULT_FAILED_AUTH_PER_ADDRESS.burst + Math.ceil((DEFAULT_FAILED_AUTH_PER_ADDRESS.perSecond * f.msPerAttempt * n) / 1000) + 2;

const randomKey = () => `mf_sdk_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["app"] });
  db = createDb(env.databaseUrl, 1);
  await selects(); // opens the pool's one connection before anything is counted
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
  await closeDb(db).catch(() => {});
  await env.cleanup();
});

describe("connects with bad keys", () => {
  it("rejects thousands of malformed and unknown keys with 401 before any stream opens, without a query per attempt", async () => {
    server = await startStreamServer({ db, root: env.etcd.root, rateLimit: false });
    const { key: goodKey } = await newSdkKey(env.db, "prod", null);
    const fds0 = await openFds();

    const q0 = await selects();
    const malformed = await flood(2_000, 64, (i) => attempt(server.port, i % 2 ? `mf_sdk_${"x".repeat(i % 40)}` : `not-a-key-${i}`));
    expect(malformed.statuses).toEqual(new Map([[401, 2_000]]));
    expect(await selects(), "malformed keys must not reach MySQL").toBe(q0);

    // One well-formed but unknown key, 2,000 times, 64 at once: the cache (and in-flight sharing)
    // makes that about one query per second, not one per attempt.
    const unknown = randomKey();
    const q1 = await selects();
    const t1 = performance.now();
    const repeated = await flood(2_000, 64, () => attempt(server.port, unknown));
    const seconds = (performance.now() - t1) / 1000;
    expect(repeated.statuses).toEqual(new Map([[401, 2_000]]));
    const repeatedQueries = (await selects()) - q1;
    expect(repeatedQueries).toBeLessThanOrEqual(Math.ceil(seconds) + 2);

    // Distinct unknown keys cost one indexed lookup each (the per-address limit bounds them; see below).
    const distinct = await flood(300, 32, () => attempt(server.port, randomKey()));
    expect(distinct.statuses).toEqual(new Map([[401, 300]]));

    expect(server.core.openStreams).toBe(0);
    console.log(
      `[hostile] bad-key rejects: malformed ${malformed.msPerAttempt.toFixed(2)} ms/attempt, repeated unknown ${repeated.msPerAttempt.toFixed(2)} ms/attempt ` +
        `(${repeatedQueries} queries for 2000 attempts), distinct unknown ${distinct.msPerAttempt.toFixed(2)} ms/attempt`,
    );
    expect(malformed.msPerAttempt).toBeLessThan(5);
    expect(repeated.msPerAttempt).toBeLessThan(5);

    // A good key is still served after the flood.
    expect(await attempt(server.port, goodKey, {}, "/api/sdk/v1/flags")).toBe(200);

    // Nothing is left behind: no server-side sockets once the clients go, no descriptors leaked.
    agent.destroy();
    await waitFor(async () => (await new Promise<number>((r) => server.server.getConnections((_e, n) => r(n)))) === 0, "server sockets closed");
    await waitFor(async () => (await openFds()) <= fds0 + 2, `file descriptors back to ${fds0}`);
    await server.close();
  }, 30_000);

  it("limits failed key checks per client address, and a client cannot dodge the limit with its own X-Forwarded-For", async () => {
    // Default limit: a burst of 50 failed checks per address, then 5 per second.
    const direct = await startStreamServer({ db, root: env.etcd.root, hub: server.hub });
    const proxied = await startStreamServer({ db, root: env.etcd.root, hub: server.hub, trustedProxies: ["loopback"] });
    try {
      const q0 = await selects();
      // Straight from the socket: spoofed headers are ignored, the socket address is what counts.
      const a = await flood(1_000, 32, (i) => attempt(direct.port, randomKey(), { "x-forwarded-for": `203.0.113.${i % 250}` }));
      expect(a.statuses.get(401)).toBeLessThanOrEqual(allowance(a));
      expect(a.statuses.get(429)).toBeGreaterThanOrEqual(800);

      // Behind a trusted proxy (TRUSTED_PROXIES=loopback), which appends the address it saw: the
      // entries before it are the client's own invention and must not name the bucket.
      const b = await flood(1_000, 32, (i) => attempt(proxied.port, randomKey(), { "x-forwarded-for": `203.0.113.${i % 250}, 198.51.100.7` }));
      expect(b.statuses.get(401)).toBeLessThanOrEqual(allowance(b));
      expect(b.statuses.get(429)).toBeGreaterThanOrEqual(800);
      // Another client behind the same proxy has its own budget: its failed check is a 401, not a 429.
      expect(await attempt(proxied.port, randomKey(), { "x-forwarded-for": "198.51.100.8" })).toBe(401);
      // Rejected by the limit means never looked up: MySQL saw at most the admitted attempts.
      expect((await selects()) - q0).toBeLessThanOrEqual(allowance(a) + allowance(b));
      console.log(`[hostile] per-address limit: direct ${a.msPerAttempt.toFixed(2)} ms/attempt, proxied ${b.msPerAttempt.toFixed(2)} ms/attempt, ${JSON.stringify([...b.statuses])}`);
    } finally {
      agent.destroy();
      await direct.close();
      await proxied.close();
    }
  }, 30_000);
});
