import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/src/node";
import type { MizuFlowClient } from "../../sdk/src/client";
import { sdkLastSeen } from "../db/schema";
import { readPresence } from "../delivery/presence/presence-reader";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { flagRevision, newSdkKey, putFlag, seedScopes } from "../../tests/support/stream-server/fixtures";
import { flushLastSeen } from "./flush-last-seen";
import { readLastSeen } from "./read-last-seen";

/**
 * "Last seen" per flag with a real SDK client connected to a real stream server (reports -> presence
 * in etcd -> flush to MySQL), against real MariaDB and etcd.
 */
let env: TestEnv;
let server: StreamServer;
let client: MizuFlowClient | null = null;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const seen = { environment: "prod", namespace: "web", key: "banner" };
const otherNs = { environment: "prod", namespace: "api", key: "limits" };
const later = { environment: "prod", namespace: "web", key: "published-later" };

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web", "api"] });
  await putFlag(env.etcd.root, seen, 1, true);
  await putFlag(env.etcd.root, otherNs, 1, true);
  server = await startStreamServer({ db: env.db, root: env.etcd.root });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await env?.cleanup();
});

const flagsOf = (...refs: (typeof seen)[]) => refs.map(({ namespace, key }) => ({ namespace, key }));

describe("last seen per flag", () => {
  it("guarantee: a flag is 'now' while a client holding it reports, reports alone write nothing to MySQL, and a flag outside the client's key is never seen", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["web"]);
    client = createClient({ url: `http://127.0.0.1:${server.port}`, sdkKey: key, logger: silent, reportIntervalMs: 1_000 });
    await client.ready();
    const rev = await flagRevision(env.etcd.root, seen);
    await waitFor(async () => (await readPresence(env.etcd.root)).countFor("prod", "web", rev).atLeast === 1, "the client's report in etcd", 10_000, 100);

    const now = await readLastSeen(env.db, env.etcd.root, flagsOf(seen, otherNs), ["prod", "staging"]);
    expect(now["web/banner"]).toEqual({ prod: { at: expect.any(String), live: true } });
    expect(now["api/limits"]).toEqual({ prod: { at: null, live: false } });
    // The storage choice: reports reach presence in etcd, not MySQL.
    expect(await env.db.select().from(sdkLastSeen)).toEqual([]);
  });

  it("guarantee: after the client is gone the flush's time remains; a flag published after the last sighting is 'never'", async () => {
    const flushedAt = new Date();
    expect(await flushLastSeen({ db: env.db, root: env.etcd.root, now: flushedAt })).toBe(1);
    const rows = await env.db.select().from(sdkLastSeen);
    expect(rows).toEqual([expect.objectContaining({ environmentKey: "prod", namespaceKey: "web" })]);
    expect(rows[0]!.revision).toBeGreaterThanOrEqual(await flagRevision(env.etcd.root, seen));

    // The client closes (its last report removes it from presence at once); then a new flag appears.
    await client!.close();
    client = null;
    await waitFor(async () => (await readPresence(env.etcd.root)).countFor("prod", "web", 0).total === 0, "the client to leave presence", 10_000, 100);
    await putFlag(env.etcd.root, later, 1, true);
    const after = await readLastSeen(env.db, env.etcd.root, flagsOf(seen, later), ["prod"]);
    expect(after["web/banner"]).toEqual({ prod: { at: flushedAt.toISOString(), live: false } });
    expect(after["web/published-later"]).toEqual({ prod: { at: null, live: false } });

    // A flush with nobody connected changes nothing, and an older flush never moves a row back.
    expect(await flushLastSeen({ db: env.db, root: env.etcd.root })).toBe(0);
    expect((await env.db.select().from(sdkLastSeen))[0]!.seenAt.toISOString()).toBe(flushedAt.toISOString());
  });
});
