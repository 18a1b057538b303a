import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEtcd, type EtcdHandle } from "../../scripts/lib/local-services";
import { setFlagValue } from "../../lib/services/flags/set-flag-value";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { createBooleanFlags, seedScopes } from "../test-support/fixtures";
import { DEFAULT_RELAY_OPTIONS } from "./outbox-relay";
import { relayBatch } from "./relay-batch";

let env: TestEnv;
let etcd: EtcdHandle;
let baseDir: string;
beforeAll(async () => {
  baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-relay-locks-"));
  etcd = await startEtcd({ baseDir });
  env = await createTestEnv({ etcdEndpoints: etcd.endpoints });
});
afterAll(async () => {
  if (etcd?.pid) process.kill(etcd.pid, "SIGCONT");
  await env?.cleanup();
  await etcd?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

/*
 * Guarantee: a relay batch that is waiting on etcd never holds up the write path. The batch's claim
 * (a locking read over the pending part of the outbox index) must lock only the rows it claims: under
 * REPEATABLE READ it also locked the gap after them, and every commit's outbox INSERT queued behind
 * it until the batch ended, so a hung etcd (a leader election, a frozen member) froze all writes for
 * up to the publish timeout. Found by the chaos run (scripts/chaos.ts --etcd-cluster 3).
 */
it("commits go through while a relay batch is stuck on a hung etcd", async () => {
  await seedScopes(env.ctx(), "checkout", ["production"]);
  await createBooleanFlags(env.ctx(), "checkout", ["a", "b"]);

  process.kill(etcd.pid!, "SIGSTOP"); // etcd hangs: calls neither succeed nor fail
  const batch = relayBatch(env.db, env.etcd.root, { ...DEFAULT_RELAY_OPTIONS, publishTimeoutMs: 4_000 }, () => {});
  try {
    await new Promise((r) => setTimeout(r, 500)); // the batch has claimed the pending rows and waits on etcd
    const started = performance.now();
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "a", environment: "production", value: true } });
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(2_000);
  } finally {
    process.kill(etcd.pid!, "SIGCONT");
    const r = await batch;
    // The stuck batch left its rows pending (etcd unavailable), nothing was lost or dead-lettered.
    expect(r.deadLettered).toBe(0);
  }
});
