import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "../../lib/flags/document";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { spawnWorker, type ChildWorker } from "../../tests/support/workers/child-worker";
import { createBooleanFlags, seedScopes } from "../../tests/support/workers/fixtures";
import { startWorker, type WorkerHandle } from "../worker-runtime";

let env: TestEnv;
const children: ChildWorker[] = [];
beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx(), "checkout", ["production"]);
  await createBooleanFlags(env.ctx(), "checkout", ["a", "b"]);
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await env?.cleanup();
});

const versionInEtcd = async (key: string) => parseDocument(await env.etcd.root.get(`flags/production/checkout/${key}`).string())?.version ?? 0;

/** Commits a change (no write-path publish) and returns how long until some relay has published it. */
async function changeAndTimePublish(key: string, value: boolean): Promise<number> {
  const view = await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key, environment: "production", value } });
  const want = view.values.production!.version;
  const t0 = performance.now();
  await waitFor(async () => (await versionInEtcd(key)) === want, `${key} v${want} published`, 5_000, 10);
  return performance.now() - t0;
}

describe("leader election", () => {
  it("with two workers exactly one leads and relays; a graceful stop hands over at once", async () => {
    const opts = { db: env.db, etcd: env.etcd, leaseTtlSeconds: 2, reconcileIntervalMs: 0 };
    const w1: WorkerHandle = await startWorker({ ...opts, id: "w1" });
    const w2: WorkerHandle = await startWorker({ ...opts, id: "w2" });
    try {
      await waitFor(() => w1.isLeader() || w2.isLeader(), "a leader");
      await new Promise((r) => setTimeout(r, 300)); // give a wrongly-elected second leader time to show up
      const [leader, standby] = w1.isLeader() ? [w1, w2] : [w2, w1];
      expect(standby.isLeader()).toBe(false);
      expect(leader.relay?.getState()).toBe("running");
      expect(standby.relay).toBeNull();
      expect(await changeAndTimePublish("a", true)).toBeLessThan(2_000);

      const t0 = performance.now();
      await leader.stop(); // resigns first: the standby must not wait for a lease to expire
      await waitFor(() => standby.isLeader(), "standby takes over", 3_000, 5);
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(await changeAndTimePublish("a", false)).toBeLessThan(2_000);
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
  });

  it("when the leader process is SIGKILLed, the standby takes over within the lease TTL and publishes new changes", async () => {
    const workerEnv = {
      DATABASE_URL: env.databaseUrl,
      ETCD_ENDPOINTS: env.etcdEndpoints.join(","),
      ETCD_PREFIX: env.etcdPrefix,
      LEASE_TTL_SECONDS: "2",
      RECONCILE_INTERVAL_MS: "0",
    };
    const a = spawnWorker("proc-a", workerEnv);
    const b = spawnWorker("proc-b", workerEnv);
    children.push(a, b);
    await Promise.race([a.waitForLog("leader.elected"), b.waitForLog("leader.elected")]);
    await Promise.all([a.waitForLog("leader.campaigning"), b.waitForLog("leader.campaigning")]);
    const roles = await Promise.all([a.healthz(), b.healthz()]);
    expect(roles.map((r) => r.role).sort()).toEqual(["leader", "standby"]);
    const [leader, standby] = roles[0]!.role === "leader" ? [a, b] : [b, a];
    expect((await standby.healthz()).relay).toBeNull();

    await changeAndTimePublish("b", true);
    const published = async (w: ChildWorker) => {
      const text = await (await fetch(`http://127.0.0.1:${await w.metricsPort()}/metrics`)).text();
      return [...text.matchAll(/^mizuflow_relay_published_total\{outcome="applied"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    expect(await published(leader)).toBeGreaterThan(0);
    expect(await published(standby)).toBe(0); // only the leader relays

    const t0 = performance.now();
    await leader.kill("SIGKILL"); // no resign: the standby has to wait for the lease to expire
    await standby.waitForLog("leader.elected", 10_000);
    const takeover = performance.now() - t0;
    console.log(`[failover] standby elected ${Math.round(takeover)} ms after the leader was killed (TTL 2 s)`);
    expect(takeover).toBeLessThan(2_000 + 1_500);
    expect(await changeAndTimePublish("b", false)).toBeLessThan(2_000);
    expect(await published(standby)).toBeGreaterThan(0);
  });
});
