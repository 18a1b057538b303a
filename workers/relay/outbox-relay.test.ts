import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxEvents } from "../../lib/db/schema";
import { parseDocument } from "../../lib/flags/document";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { createBooleanFlags, diffEtcdAgainstMysql, outboxCounts, seedScopes } from "../../tests/support/workers/fixtures";
import { OutboxRelay } from "./outbox-relay";
import { pruneDoneRows } from "./prune-outbox";

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx());
});
afterAll(async () => {
  await env?.cleanup();
});

const docAt = async (path: string) => parseDocument(await env.etcd.root.get(`flags/${path}`).string());

describe("outbox relay", () => {
  it("publishes rows committed by the service verbs (no write-path publish) and marks them done", async () => {
    await createBooleanFlags(env.ctx(), "checkout", ["alpha", "beta", "gamma"]);
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "alpha", environment: "production", value: true } });
    expect((await outboxCounts(env.db)).pending).toBe(7);
    expect(await docAt("production/checkout/alpha")).toBeNull(); // nobody published yet

    const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} });
    const r = await relay.runOnce();
    expect(r).toMatchObject({ claimed: 7, done: 7, applied: 6, rowFailures: 0, unavailable: null }); // alpha/production v1 superseded by v2
    expect(await outboxCounts(env.db)).toMatchObject({ pending: 0, done: 7, dead: 0 });
    expect(await docAt("production/checkout/alpha")).toMatchObject({ value: true, version: 2 });
    expect(await diffEtcdAgainstMysql(env.db, env.etcd.root)).toEqual([]);
  });

  it("reacts to nudge() within milliseconds even with a long poll interval", async () => {
    const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} }, { pollIntervalMs: 60_000 });
    relay.start();
    try {
      await new Promise((r) => setTimeout(r, 100)); // the first (empty) batch ran; the loop now sleeps for a minute
      await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "beta", environment: "staging", value: true } });
      const t0 = performance.now();
      relay.nudge();
      await waitFor(async () => (await docAt("staging/checkout/beta"))?.version === 2, "nudged publish", 2_000, 2);
      const ms = performance.now() - t0;
      console.log(`[relay] nudge to publish: ${Math.round(ms)} ms (poll interval 60 s)`);
      expect(ms).toBeLessThan(1_000);
    } finally {
      await relay.stop();
    }
    expect(relay.getState()).toBe("stopped");
  });

  it("never lets a stale row overwrite a newer version already in etcd", async () => {
    const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} });
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "gamma", environment: "production", value: true } });
    await relay.runOnce();
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "gamma", environment: "production", value: false } });
    await relay.runOnce();
    expect(await docAt("production/checkout/gamma")).toMatchObject({ version: 3, value: false });
    // Re-queue the older (v2) row as if a crash had left it pending after v3 landed.
    await env.db
      .update(outboxEvents)
      .set({ status: "pending", publishedAt: null })
      .where(and(eq(outboxEvents.etcdKey, "flags/production/checkout/gamma"), eq(outboxEvents.version, 2)));
    const r = await relay.runOnce();
    expect(r).toMatchObject({ claimed: 1, done: 1, applied: 0 });
    expect(await docAt("production/checkout/gamma")).toMatchObject({ version: 3, value: false });
  });

  it("claims skip rows another transaction holds and lock only the claimed rows (relays never block each other)", async () => {
    for (let i = 0; i < 6; i++) {
      await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "beta", environment: "production", value: i % 2 === 0 } });
    }
    const conn = await env.db.$client.getConnection();
    try {
      await conn.query("BEGIN");
      // Another relay's claim (the relay's own query shape) holds the two oldest pending rows. Had it
      // locked the whole due range (as ORDER BY id does), the relay below would find nothing.
      await conn.query(
        "SELECT id FROM outbox_events WHERE status = 'pending' AND next_attempt_at <= NOW(3) + INTERVAL 1 DAY ORDER BY next_attempt_at, id LIMIT 2 FOR UPDATE SKIP LOCKED",
      );
      const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} }, { batchSize: 2 });
      expect(await relay.runOnce()).toMatchObject({ claimed: 2, done: 2 });
      expect(await relay.runOnce()).toMatchObject({ claimed: 2, done: 2 });
      expect(await relay.runOnce()).toMatchObject({ claimed: 0 }); // only the held rows are left, and they are skipped
      await conn.query("ROLLBACK");
      expect(await relay.runOnce()).toMatchObject({ claimed: 2, done: 2 });
    } finally {
      conn.release();
    }
    expect(await diffEtcdAgainstMysql(env.db, env.etcd.root)).toEqual([]);
  });

  it("prunes only done rows older than the retention period", async () => {
    const before = await outboxCounts(env.db);
    await env.db.update(outboxEvents).set({ publishedAt: sql`${outboxEvents.publishedAt} - INTERVAL 8 DAY` }).where(eq(outboxEvents.etcdKey, "flags/production/checkout/alpha"));
    const pruned = await pruneDoneRows(env.db, { retentionMs: 7 * 24 * 3600_000, batchSize: 1, maxBatches: 10 });
    expect(pruned).toBe(2); // alpha/production v1 and v2, one row per statement
    const after = await outboxCounts(env.db);
    expect(after).toMatchObject({ done: before.done - 2, pending: before.pending, dead: before.dead });
  });
});
