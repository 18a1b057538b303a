import mysql from "mysql2/promise";
import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { outboxEvents } from "../../lib/db/schema";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { waitFor } from "../../tests/support/test-env";
import { useOwnEtcd } from "../../tests/support/workers/own-etcd";
import { createBooleanFlags, diffEtcdAgainstMysql, outboxCounts, seedScopes } from "../../tests/support/workers/fixtures";
import { OutboxRelay } from "./outbox-relay";

const own = useOwnEtcd("relay-outage");

const keys = ["a", "b", "c", "d", "e"];
async function writeRound(round: number): Promise<void> {
  for (const key of keys) {
    await setFlagValue({ ctx: own.env.ctx(), input: { namespace: "checkout", key, environment: "production", value: round % 2 === 0 } });
  }
}

it("etcd down (killed) or hung (stopped) loses nothing, dead-letters nothing, and the backlog drains when it returns", async () => {
  await seedScopes(own.env.ctx(), "checkout", ["production"]);
  await createBooleanFlags(own.env.ctx(), "checkout", keys);
  // maxAttempts 2: if an outage counted as attempts, these rows would be dead within two batches.
  const relay = new OutboxRelay(
    { db: own.env.db, root: own.env.etcd.root, log: () => {} },
    { maxAttempts: 2, pollIntervalMs: 50, unavailableBackoffMaxMs: 500, publishTimeoutMs: 800 },
  );
  relay.start();
  try {
    await waitFor(async () => (await outboxCounts(own.env.db)).pending === 0, "initial drain");

    // 1. etcd killed: writes keep committing; the relay fails every batch and backs off.
    await own.etcd.kill();
    for (let round = 0; round < 4; round++) await writeRound(round);
    await new Promise((r) => setTimeout(r, 3_000));
    let rows = await own.env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "pending"));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.attempts === 0)).toBe(true);
    await own.etcd.restart();
    await waitFor(async () => (await outboxCounts(own.env.db)).pending === 0, "drain after etcd restart", 15_000, 50);
    expect((await outboxCounts(own.env.db)).dead).toBe(0);
    expect(await diffEtcdAgainstMysql(own.env.db, own.env.etcd.root)).toEqual([]);

    // 2. etcd hung (SIGSTOP): calls never answer. The publish timeout ends each batch, so the claim
    //    transaction never holds its row locks for long: another session can lock the rows.
    process.kill(own.etcd.pid!, "SIGSTOP");
    await writeRound(4);
    await new Promise((r) => setTimeout(r, 1_200));
    const conn = await mysql.createConnection({ uri: own.env.databaseUrl });
    try {
      await conn.query("SET SESSION innodb_lock_wait_timeout = 3");
      const t0 = performance.now();
      await conn.query("UPDATE outbox_events SET attempts = attempts WHERE status = 'pending'");
      expect(performance.now() - t0).toBeLessThan(3_000);
    } finally {
      await conn.end();
    }
    rows = await own.env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "pending"));
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.attempts === 0)).toBe(true);
    process.kill(own.etcd.pid!, "SIGCONT");
    await waitFor(async () => (await outboxCounts(own.env.db)).pending === 0, "drain after etcd resumes", 15_000, 50);
    const [dead] = await own.env.db.select({ n: sql<number>`COUNT(*)` }).from(outboxEvents).where(eq(outboxEvents.status, "dead"));
    expect(Number(dead?.n)).toBe(0);
    expect(await diffEtcdAgainstMysql(own.env.db, own.env.etcd.root)).toEqual([]);
  } finally {
    await relay.stop();
  }
});
