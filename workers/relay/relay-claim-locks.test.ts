import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { waitFor } from "../../tests/support/test-env";
import { useOwnEtcd } from "../../tests/support/workers/own-etcd";
import { createBooleanFlags, seedScopes } from "../../tests/support/workers/fixtures";
import { DEFAULT_RELAY_OPTIONS } from "./outbox-relay";
import { relayBatch } from "./relay-batch";

const own = useOwnEtcd("relay-locks");

/**
 * Whether another transaction holds the pending outbox rows: the relay batch's claim. Asked the way
 * a second relay would (a locking read that skips locked rows finds none of the pending rows).
 * MariaDB's information_schema.INNODB_TRX proved no witness: it listed no transaction at all while
 * the batch held its row locks, about one run in four.
 */
async function claimHeld(): Promise<boolean> {
  return own.env.db.transaction(async (tx) => {
    const [counted] = (await tx.execute(sql`SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'pending'`)) as unknown as [{ n: number | string }[]];
    const [free] = (await tx.execute(sql`SELECT id FROM outbox_events WHERE status = 'pending' FOR UPDATE SKIP LOCKED`)) as unknown as [unknown[]];
    return Number(counted[0]!.n) > 0 && free.length === 0;
  });
}

/*
 * Guarantee: a relay batch that is waiting on etcd never holds up the write path. The batch's claim
 * (a locking read over the pending part of the outbox index) must lock only the rows it claims: under
 * REPEATABLE READ it also locked the gap after them, and every commit's outbox INSERT queued behind
 * it until the batch ended, so a hung etcd (a leader election, a frozen member) froze all writes for
 * up to the publish timeout. Found by the chaos run (scripts/chaos.ts --etcd-cluster 3).
 */
it("commits go through while a relay batch is stuck on a hung etcd", async () => {
  await seedScopes(own.env.ctx(), "checkout", ["production"]);
  await createBooleanFlags(own.env.ctx(), "checkout", ["a", "b"]);

  process.kill(own.etcd.pid!, "SIGSTOP"); // etcd hangs: calls neither succeed nor fail
  const batch = relayBatch(own.env.db, own.env.etcd.root, { ...DEFAULT_RELAY_OPTIONS, publishTimeoutMs: 4_000 }, () => {});
  try {
    // Wait for the claim itself (a fixed pause could end before it on a loaded machine, and the
    // write below would then prove nothing).
    await waitFor(claimHeld, "the batch to claim the pending rows");
    const started = performance.now();
    await setFlagValue({ ctx: own.env.ctx(), input: { namespace: "checkout", key: "a", environment: "production", value: true } });
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(2_000);
  } finally {
    process.kill(own.etcd.pid!, "SIGCONT");
    const r = await batch;
    // The stuck batch left its rows pending (etcd unavailable), nothing was lost or dead-lettered.
    expect(r.deadLettered).toBe(0);
  }
});
