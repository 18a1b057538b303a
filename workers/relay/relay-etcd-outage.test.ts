import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEtcd, type EtcdHandle } from "../../scripts/lib/local-services";
import { outboxEvents } from "../../lib/db/schema";
import { setFlagValue } from "../../lib/services/flags/set-flag-value";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { createBooleanFlags, diffEtcdAgainstMysql, outboxCounts, seedScopes } from "../test-support/fixtures";
import { OutboxRelay } from "./outbox-relay";

let env: TestEnv;
let etcd: EtcdHandle;
let baseDir: string;
beforeAll(async () => {
  baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-relay-outage-"));
  etcd = await startEtcd({ baseDir });
  env = await createTestEnv({ etcdEndpoints: etcd.endpoints });
});
afterAll(async () => {
  if (etcd?.pid) process.kill(etcd.pid, "SIGCONT");
  await env?.cleanup();
  await etcd?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

const keys = ["a", "b", "c", "d", "e"];
async function writeRound(round: number): Promise<void> {
  for (const key of keys) {
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key, environment: "production", value: round % 2 === 0 } });
  }
}

it("etcd down (killed) or hung (stopped) loses nothing, dead-letters nothing, and the backlog drains when it returns", async () => {
  await seedScopes(env.ctx(), "checkout", ["production"]);
  await createBooleanFlags(env.ctx(), "checkout", keys);
  // maxAttempts 2: if an outage counted as attempts, these rows would be dead within two batches.
  const relay = new OutboxRelay(
    { db: env.db, root: env.etcd.root, log: () => {} },
    { maxAttempts: 2, pollIntervalMs: 50, unavailableBackoffMaxMs: 500, publishTimeoutMs: 800 },
  );
  relay.start();
  try {
    await waitFor(async () => (await outboxCounts(env.db)).pending === 0, "initial drain");

    // 1. etcd killed: writes keep committing; the relay fails every batch and backs off.
    await etcd.kill();
    for (let round = 0; round < 4; round++) await writeRound(round);
    await new Promise((r) => setTimeout(r, 3_000));
    let rows = await env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "pending"));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.attempts === 0)).toBe(true);
    await etcd.restart();
    await waitFor(async () => (await outboxCounts(env.db)).pending === 0, "drain after etcd restart", 15_000, 50);
    expect((await outboxCounts(env.db)).dead).toBe(0);
    expect(await diffEtcdAgainstMysql(env.db, env.etcd.root)).toEqual([]);

    // 2. etcd hung (SIGSTOP): calls never answer. The publish timeout ends each batch, so the claim
    //    transaction never holds its row locks for long: another session can lock the rows.
    process.kill(etcd.pid!, "SIGSTOP");
    await writeRound(4);
    await new Promise((r) => setTimeout(r, 1_200));
    const conn = await mysql.createConnection({ uri: env.databaseUrl });
    try {
      await conn.query("SET SESSION innodb_lock_wait_timeout = 3");
      const t0 = performance.now();
      await conn.query("UPDATE outbox_events SET attempts = attempts WHERE status = 'pending'");
      expect(performance.now() - t0).toBeLessThan(3_000);
    } finally {
      await conn.end();
    }
    rows = await env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "pending"));
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.attempts === 0)).toBe(true);
    process.kill(etcd.pid!, "SIGCONT");
    await waitFor(async () => (await outboxCounts(env.db)).pending === 0, "drain after etcd resumes", 15_000, 50);
    const [dead] = await env.db.select({ n: sql<number>`COUNT(*)` }).from(outboxEvents).where(eq(outboxEvents.status, "dead"));
    expect(Number(dead?.n)).toBe(0);
    expect(await diffEtcdAgainstMysql(env.db, env.etcd.root)).toEqual([]);
  } finally {
    await relay.stop();
  }
});
