import { expect, it } from "vitest";
import { waitFor } from "../../tests/support/test-env";
import { useOwnEtcd } from "../../tests/support/workers/own-etcd";
import type { WorkerLog } from "../support/log";
import { startWorker } from "../worker-runtime";

const own = useOwnEtcd("leader-outage");

it("campaigns through etcd outages: no leadership while etcd is down, gains leadership once etcd is up, and steps down (stopping the relay) when it loses etcd", async () => {
  const events: string[] = [];
  const log: WorkerLog = (_level, event) => void events.push(event);
  await own.etcd.stop();
  const w = await startWorker({ db: own.env.db, etcd: own.env.etcd, id: "lonely", leaseTtlSeconds: 2, reconcileIntervalMs: 0, log });
  try {
    // Its first campaign fails (how soon depends on the machine's load: wait for it, not a fixed time).
    await waitFor(() => events.includes("leader.etcd_error"), "a failed campaign while etcd is down", 5_000);
    expect(w.isLeader()).toBe(false);

    await own.etcd.restart();
    await waitFor(() => w.isLeader(), "leadership once etcd is back", 12_000, 20);
    expect(w.relay?.getState()).toBe("running");
    const relay = w.relay!;

    // Partition: the leader must stop leader work before its lease could have expired (TTL 2 s).
    const t0 = performance.now();
    await own.etcd.kill();
    await waitFor(() => !w.isLeader(), "step-down after losing etcd", 5_000, 10);
    const stepDown = performance.now() - t0;
    console.log(`[leader] stepped down ${Math.round(stepDown)} ms after etcd died (TTL 2 s)`);
    // Design: no successful keepalive for 3/4 TTL (1.5 s), checked every 250 ms.
    expect(stepDown).toBeLessThan(2_250);
    await waitFor(() => relay.getState() === "stopped", "relay stopped", 3_000, 10);
    expect(w.relay).toBeNull();
    expect(events).toContain("leader.lost");
    // It keeps campaigning (with backoff) meanwhile; regaining leadership is what the first phase showed.
    await waitFor(() => events.filter((e) => e === "leader.etcd_error").length >= 2, "a second failed campaign after losing etcd", 5_000);
  } finally {
    await w.stop();
  }
});
