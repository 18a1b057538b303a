import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, startEtcdCluster } from "../../../scripts/lib/local-services";
import { createTestEnv, waitFor, type TestEnv } from "../../../tests/support/test-env";
import { createEtcd } from "../../etcd/client";
import { deleteFlag, etcdRevision, putFlag, type FlagRef } from "../../../tests/support/stream-server/fixtures";
import { startTcpProxy } from "../../../tests/support/stream-server/tcp-proxy";
import type { HubEvent, HubSubscriber, SubscribeStart } from "./hub-types";
import { makeScope, type Scope } from "./scope";
import { WatchHub } from "./watch-hub";

/** A hub subscriber that records what it is given, and its view of each flag's version. */
class Recorder implements HubSubscriber {
  events: HubEvent[] = [];
  resyncs = 0;
  start!: SubscribeStart;
  constructor(readonly scope: Scope) {}
  onEvents(events: readonly HubEvent[]) {
    this.events.push(...events);
  }
  onResync() {
    this.resyncs++;
  }
  attach(hub: WatchHub, lastEventId?: number | null) {
    this.start = hub.subscribe(this, lastEventId);
    return this;
  }
  /** Versions of one key as this subscriber learnt them: initial state, then each event. */
  versionsOf(key: string): number[] {
    const first =
      this.start.kind === "snapshot"
        ? this.start.snapshot.flags.filter((f) => f.key === key).map((f) => f.version)
        : this.start.events.filter((e) => e.key === key).map((e) => e.version);
    return [...first, ...this.events.filter((e) => e.key === key).map((e) => e.version)];
  }
}

const prod = (namespace: string, key: string): FlagRef => ({ environment: "prod", namespace, key });

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env.cleanup();
});

describe("WatchHub", () => {
  it("starts from a consistent snapshot and then delivers each later change once, in order", async () => {
    const root = env.etcd.client.namespace(`${env.etcdPrefix}a/`);
    await putFlag(root, prod("ns", "before"), 1);
    await putFlag(root, prod("ns", "gone"), 1);
    await deleteFlag(root, prod("ns", "gone"), 2);
    const hub = new WatchHub({ root });
    await hub.start();
    const rec = new Recorder(makeScope("prod", null)).attach(hub);
    expect(rec.start.kind).toBe("snapshot");
    if (rec.start.kind !== "snapshot") return;
    expect(rec.start.snapshot.revision).toBe(hub.currentRevision);
    expect(rec.start.snapshot.flags.map((f) => [f.key, f.version])).toEqual([["before", 1]]);

    await putFlag(root, prod("ns", "before"), 2);
    await deleteFlag(root, prod("ns", "before"), 3);
    await putFlag(root, prod("ns", "after"), 1);
    await waitFor(() => rec.events.length === 3, "three events");
    expect(rec.events.map((e) => [e.type, e.key, e.version])).toEqual([
      ["put", "before", 2],
      ["delete", "before", 3],
      ["put", "after", 1],
    ]);
    const revs = rec.events.map((e) => e.revision);
    expect([...revs].sort((a, b) => a - b)).toEqual(revs);
    expect(revs[0]).toBeGreaterThan(rec.start.snapshot.revision);
    await hub.stop();
  });

  it("loses and repeats nothing between a subscriber's snapshot and its live events, under concurrent writes", async () => {
    const root = env.etcd.client.namespace(`${env.etcdPrefix}b/`);
    const hub = new WatchHub({ root });
    await hub.start();
    const recs: Recorder[] = [];
    const writer = (async () => {
      for (let v = 1; v <= 60; v++) await putFlag(root, prod("ns", "hot"), v);
    })();
    while (recs.length < 30) {
      recs.push(new Recorder(makeScope("prod", ["ns"])).attach(hub));
      await new Promise((r) => setTimeout(r, Math.random() * 8));
    }
    await writer;
    await waitFor(() => recs.every((r) => r.versionsOf("hot").at(-1) === 60), "every subscriber at v60");
    for (const r of recs) {
      const seen = r.versionsOf("hot");
      const from = seen[0] ?? 1;
      // Contiguous: each version exactly once from the snapshot's on.
      expect(seen).toEqual(Array.from({ length: 61 - from }, (_, i) => from + i));
    }
    await hub.stop();
  });

  it("replays exactly the missed in-scope events for a Last-Event-ID, and a snapshot when the ring no longer covers it", async () => {
    const root = env.etcd.client.namespace(`${env.etcdPrefix}c/`);
    const hub = new WatchHub({ root, ringSize: 6 });
    await hub.start();
    const first = new Recorder(makeScope("prod", ["mine"])).attach(hub);
    await putFlag(root, prod("mine", "x"), 1);
    await waitFor(() => first.events.length === 1, "first event");
    const lastSeen = first.events[0]!.revision;
    hub.unsubscribe(first);

    await putFlag(root, prod("other", "y"), 1);
    await putFlag(root, prod("mine", "x"), 2);
    await putFlag(root, { environment: "staging", namespace: "mine", key: "x" }, 1);
    await deleteFlag(root, prod("mine", "x"), 3);
    await waitFor(() => hub.currentRevision >= 0 && hub.stats().ringSize === 5, "five events in the ring");

    const resumed = new Recorder(makeScope("prod", ["mine"])).attach(hub, lastSeen);
    expect(resumed.start.kind).toBe("replay");
    if (resumed.start.kind === "replay") {
      expect(resumed.start.events.map((e) => [e.type, e.namespace, e.key, e.version])).toEqual([
        ["put", "mine", "x", 2],
        ["delete", "mine", "x", 3],
      ]);
      expect(resumed.start.revision).toBe(hub.currentRevision);
    }
    // Up to date: nothing to replay.
    const current = new Recorder(makeScope("prod", ["mine"])).attach(hub, hub.currentRevision);
    expect(current.start).toMatchObject({ kind: "replay", events: [] });

    for (let v = 10; v < 14; v++) await putFlag(root, prod("other", "y"), v);
    await waitFor(() => hub.stats().ringFloor > lastSeen, "ring evicted past the old id");
    const tooOld = new Recorder(makeScope("prod", ["mine"])).attach(hub, lastSeen);
    expect(tooOld.start.kind).toBe("snapshot");
    if (tooOld.start.kind === "snapshot") expect(tooOld.start.snapshot.flags).toEqual([]);
    await hub.stop();
  });

  it("restarts a watch that silently stopped delivering, from the last applied revision", async () => {
    const root = env.etcd.client.namespace(`${env.etcdPrefix}e/`);
    const hub = new WatchHub({ root, livenessCheckMs: 100 });
    await hub.start();
    const rec = new Recorder(makeScope("prod", null)).attach(hub);
    await putFlag(root, prod("ns", "k"), 1);
    await waitFor(() => rec.events.length === 1, "first event");
    // Simulate a stuck watch: the etcd3 watcher no longer hands anything on (no error, no disconnect).
    (hub as unknown as { feed: { watcher: { removeAllListeners(e: string): void } } }).feed.watcher.removeAllListeners("data");
    await putFlag(root, prod("ns", "k"), 2);
    await putFlag(root, prod("ns", "k"), 3);
    await waitFor(() => rec.events.length === 3, "events after the watch restart", 5_000);
    expect(hub.stats().watchRestarts).toBe(1);
    expect(rec.versionsOf("k")).toEqual([1, 2, 3]);
    await hub.stop();
  });

  it("survives compaction while it was cut off: re-snapshots, tells subscribers to resync, and continues without a gap", async () => {
    // Its own etcd: compacting the shared one would disturb other test files.
    const base = await mkdtemp(path.join(os.tmpdir(), "mf-hub-etcd-"));
    const etcd = await startEtcd({ baseDir: base });
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: etcd.port });
    const viaProxy = createEtcd([proxy.endpoint], "/mf/");
    const admin = createEtcd(etcd.endpoints, "/mf/");
    const direct = admin.root;
    const hub = new WatchHub({ root: viaProxy.root });
    try {
      await hub.start();
      await putFlag(direct, prod("ns", "k"), 1);
      const rec = new Recorder(makeScope("prod", null)).attach(hub);
      await waitFor(() => hub.stats().watching, "watch connected");
      const before = hub.currentRevision;

      proxy.block();
      await waitFor(() => !hub.stats().watching, "hub notices the cut");
      await putFlag(direct, prod("ns", "k"), 2);
      await putFlag(direct, prod("ns", "k2"), 1);
      await putFlag(direct, prod("ns", "k"), 3);
      await admin.client.kv.compact({ revision: await etcdRevision(direct), physical: true });
      proxy.unblock();

      await waitFor(() => hub.stats().resyncs === 1, "hub resynced", 20_000);
      expect(rec.resyncs).toBe(1);
      expect(hub.currentRevision).toBeGreaterThan(before);
      const snap = hub.snapshot(makeScope("prod", null));
      expect(snap.flags.map((f) => [f.key, f.version])).toEqual([["k", 3], ["k2", 1]]);
      // An id from before the resync cannot be replayed any more: snapshot.
      expect(new Recorder(makeScope("prod", null)).attach(hub, before).start.kind).toBe("snapshot");

      await putFlag(direct, prod("ns", "k"), 4);
      await waitFor(() => rec.events.some((e) => e.version === 4), "live again after the resync");
      expect(rec.events.at(-1)!.revision).toBeGreaterThan(snap.revision);
    } finally {
      await hub.stop();
      viaProxy.client.close();
      admin.client.close();
      await proxy.close();
      await etcd.stop();
      await rm(base, { recursive: true, force: true });
    }
  });

  it("survives an etcd restart: resumes from the last applied revision, missing nothing written meanwhile", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "mf-hub-etcd-"));
    const etcd = await startEtcd({ baseDir: base });
    const handle = createEtcd(etcd.endpoints, "/mf/");
    const writer = createEtcd(etcd.endpoints, "/mf/");
    const hub = new WatchHub({ root: handle.root });
    try {
      await hub.start();
      const rec = new Recorder(makeScope("prod", null)).attach(hub);
      for (let v = 1; v <= 3; v++) await putFlag(writer.root, prod("ns", "k"), v);
      await waitFor(() => rec.events.length === 3, "first events");

      await etcd.kill();
      await waitFor(() => !hub.stats().watching, "hub notices etcd is gone");
      await etcd.restart();
      // Written before the hub is back: must arrive through the resumed watch's catch-up.
      for (let v = 4; v <= 8; v++) await putFlag(writer.root, prod("ns", "k"), v);
      await waitFor(() => rec.events.length === 8, "events written across the restart", 20_000);
      expect(rec.versionsOf("k")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(rec.resyncs).toBe(0);
    } finally {
      await hub.stop();
      handle.client.close();
      writer.client.close();
      await etcd.stop();
      await rm(base, { recursive: true, force: true });
    }
  });

  it("survives an etcd leader change in a 3-member cluster without a gap", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "mf-hub-cluster-"));
    const cluster = await startEtcdCluster({ baseDir: base, size: 3 });
    const hubEtcd = createEtcd(cluster.endpoints, "/mf/");
    const writer = createEtcd(cluster.endpoints, "/mf/");
    const hub = new WatchHub({ root: hubEtcd.root });
    try {
      await hub.start();
      const rec = new Recorder(makeScope("prod", null)).attach(hub);
      for (let v = 1; v <= 3; v++) await putFlag(writer.root, prod("ns", "k"), v);
      await waitFor(() => rec.events.length === 3, "first events");

      // Find and kill the leader; the others elect a new one and writes go on.
      let leader = -1;
      for (const [i, m] of cluster.members.entries()) {
        const probe = createEtcd(m.endpoints, "/");
        const st = await probe.client.maintenance.status();
        probe.client.close();
        if (st.leader === st.header.member_id) leader = i;
      }
      expect(leader).toBeGreaterThanOrEqual(0);
      await cluster.members[leader]!.kill();
      for (let v = 4; v <= 8; v++) {
        await waitFor(async () => (await putFlag(writer.root, prod("ns", "k"), v).then(() => true, () => false)), `write v${v}`, 15_000, 50);
      }
      await waitFor(() => rec.events.length === 8, "events across the leader change", 20_000);
      expect(rec.versionsOf("k")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(rec.resyncs).toBe(0);
    } finally {
      await hub.stop();
      hubEtcd.client.close();
      writer.client.close();
      await cluster.stopAll();
      await rm(base, { recursive: true, force: true });
    }
  });
});
