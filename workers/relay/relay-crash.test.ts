import type { IKeyValue } from "etcd3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FLAGS_DIR, TOMBSTONES_DIR } from "../../lib/etcd/keys";
import { deleteFlag } from "../../lib/flags/delete-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { spawnWorker, type ChildWorker } from "../../tests/support/workers/child-worker";
import { createBooleanFlags, diffEtcdAgainstMysql, outboxCounts, seedScopes } from "../../tests/support/workers/fixtures";
import { forEachLimit } from "../support/timing";

let env: TestEnv;
const children: ChildWorker[] = [];
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await env?.cleanup();
});

interface Seen {
  path: string;
  version: number;
  kind: "doc" | "tomb";
}

it("a relay SIGKILLed mid-batch loses nothing, and no key's version in etcd ever goes backwards or is written twice", async () => {
  const t0 = performance.now();
  const lap = (what: string) => console.log(`[relay-crash] ${what} at ${Math.round(performance.now() - t0)} ms`);
  const ctx = env.ctx(); // no onCommitted: only the relay publishes
  await seedScopes(ctx, "checkout", ["production", "staging"]);
  const keys = Array.from({ length: 100 }, (_, i) => `f${String(i).padStart(3, "0")}`);
  await createBooleanFlags(ctx, "checkout", keys);
  await forEachLimit(keys, 6, async (key) => {
    for (const value of [true, false]) await setFlagValue({ ctx, input: { namespace: "checkout", key, environment: "production", value } });
  });
  await forEachLimit(keys.slice(0, 10), 4, async (key) => void (await deleteFlag({ ctx, input: { namespace: "checkout", key } })));
  const backlog = (await outboxCounts(env.db)).pending;
  lap("backlog written");
  expect(backlog).toBe(100 * 2 + 100 * 2 + 10 * 2);

  // Record every change under flags/ and tombstones/ from now on, in revision order.
  const start = Number((await env.etcd.root.get("probe").exec()).header.revision) + 1;
  const seen: Seen[] = [];
  let watched = 0; // the newest revision the watcher has delivered under flags/ or tombstones/
  const watcher = await env.etcd.root.watch().prefix("").startRevision(String(start)).create();
  watcher.on("put", (kv: IKeyValue) => {
    const key = kv.key.toString();
    if (!key.startsWith(FLAGS_DIR) && !key.startsWith(TOMBSTONES_DIR)) return; // election keys
    const body = JSON.parse(kv.value.toString()) as { version?: number } | null;
    if (key.startsWith(FLAGS_DIR)) seen.push({ path: key.slice(FLAGS_DIR.length), version: body?.version ?? -1, kind: "doc" });
    if (key.startsWith(TOMBSTONES_DIR)) seen.push({ path: key.slice(TOMBSTONES_DIR.length), version: body?.version ?? -1, kind: "tomb" });
    watched = Math.max(watched, Number(kv.mod_revision));
  });

  const workerEnv = {
    DATABASE_URL: env.databaseUrl,
    ETCD_ENDPOINTS: env.etcdEndpoints.join(","),
    ETCD_PREFIX: env.etcdPrefix,
    LEASE_TTL_SECONDS: "1",
    RECONCILE_INTERVAL_MS: "0",
    RELAY_BATCH_SIZE: "10",
  };
  const a = spawnWorker("crash-a", workerEnv);
  children.push(a);
  await waitFor(() => seen.length >= 60, "first publishes by worker A", 15_000, 1);
  await a.kill("SIGKILL");
  lap("worker A killed");
  const left = (await outboxCounts(env.db)).pending;
  expect(left).toBeGreaterThan(0); // it really died mid-way

  const b = spawnWorker("crash-b", workerEnv);
  children.push(b);
  await waitFor(async () => (await outboxCounts(env.db)).pending === 0, "worker B drains the backlog", 20_000, 50);
  lap("worker B drained");
  expect(await outboxCounts(env.db)).toMatchObject({ pending: 0, dead: 0, done: backlog });
  expect(await diffEtcdAgainstMysql(env.db, env.etcd.root)).toEqual([]);
  // The watcher delivers asynchronously: wait until it has passed the newest publish (a fixed pause
  // lost that race under load, and the count below then missed keys).
  const newest = Math.max(
    ...(await Promise.all([FLAGS_DIR, TOMBSTONES_DIR].map((dir) => env.etcd.root.getAll().prefix(dir).exec()))).flatMap((r) => r.kvs.map((kv) => Number(kv.mod_revision))),
  );
  await waitFor(() => watched >= newest, "the watcher to deliver the last publish");
  await watcher.cancel();

  const byKey = new Map<string, number[]>();
  for (const s of seen) byKey.set(s.path, [...(byKey.get(s.path) ?? []), s.version]);
  expect(byKey.size).toBe(200);
  for (const [path, versions] of byKey) {
    const strictlyIncreasing = versions.every((v, i) => i === 0 || v > versions[i - 1]!);
    expect(strictlyIncreasing, `${path}: ${versions.join(",")}`).toBe(true);
  }

  // Graceful stop: resigns, drains, closes, exits 0.
  await b.kill("SIGTERM");
  expect((await b.exited).code).toBe(0);
  expect(b.logs.map((l) => l.event)).toEqual(expect.arrayContaining(["leader.resigned", "relay.stopped", "shutdown.complete"]));
});
