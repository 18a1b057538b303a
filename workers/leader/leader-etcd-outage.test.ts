import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEtcd, type EtcdHandle } from "../../scripts/lib/local-services";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import type { WorkerLog } from "../support/log";
import { startWorker } from "../worker-runtime";

let env: TestEnv;
let etcd: EtcdHandle;
let baseDir: string;
beforeAll(async () => {
  baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-leader-outage-"));
  etcd = await startEtcd({ baseDir });
  env = await createTestEnv({ etcdEndpoints: etcd.endpoints });
});
afterAll(async () => {
  await env?.cleanup();
  await etcd?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

it("campaigns through etcd outages: no leadership while etcd is down, gains leadership once etcd is up, and steps down (stopping the relay) when it loses etcd", async () => {
  const events: string[] = [];
  const log: WorkerLog = (_level, event) => void events.push(event);
  await etcd.stop();
  const w = await startWorker({ db: env.db, etcd: env.etcd, id: "lonely", leaseTtlSeconds: 2, reconcileIntervalMs: 0, log });
  try {
    await new Promise((r) => setTimeout(r, 800));
    expect(w.isLeader()).toBe(false);
    expect(events).toContain("leader.etcd_error");

    await etcd.restart();
    await waitFor(() => w.isLeader(), "leadership once etcd is back", 12_000, 20);
    expect(w.relay?.getState()).toBe("running");
    const relay = w.relay!;

    // Partition: the leader must stop leader work before its lease could have expired (TTL 2 s).
    const t0 = performance.now();
    await etcd.kill();
    await waitFor(() => !w.isLeader(), "step-down after losing etcd", 5_000, 10);
    const stepDown = performance.now() - t0;
    console.log(`[leader] stepped down ${Math.round(stepDown)} ms after etcd died (TTL 2 s)`);
    // Design: no successful keepalive for 3/4 TTL (1.5 s), checked every 250 ms.
    expect(stepDown).toBeLessThan(2_250);
    await waitFor(() => relay.getState() === "stopped", "relay stopped", 3_000, 10);
    expect(w.relay).toBeNull();
    expect(events).toContain("leader.lost");
    // It keeps campaigning (with backoff) meanwhile; regaining leadership is what the first phase showed.
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e === "leader.etcd_error").length).toBeGreaterThanOrEqual(2);
  } finally {
    await w.stop();
  }
});
