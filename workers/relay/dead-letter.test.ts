import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditEvents, outboxEvents } from "../../lib/db/schema";
import { metrics } from "../../lib/observability/metrics";
import { listDeadLetters, retryDeadLetters } from "../../lib/outbox/dead-letters";
import { outboxStats } from "../../lib/outbox/outbox-stats";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { createBooleanFlags, outboxCounts, seedScopes } from "../../tests/support/workers/fixtures";
import { OutboxRelay } from "./outbox-relay";

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx(), "checkout", ["production"]);
});
afterAll(async () => {
  await env?.cleanup();
});

const counterValue = async () => (await metrics.relayDeadLetteredTotal.get()).values[0]?.value ?? 0;

it("dead-letters a row that keeps failing for its own reason after N attempts, visibly, and retry re-queues it", async () => {
  await createBooleanFlags(env.ctx(), "checkout", ["good"]);
  const now = new Date();
  const bad = { op: "put" as const, version: 1, nextAttemptAt: now, createdAt: now };
  await env.db.insert(outboxEvents).values([
    { ...bad, etcdKey: "flags/production/checkout/Not A Key", payload: { whatever: true } },
    { ...bad, etcdKey: "flags/production/checkout/broken", payload: { namespace: "checkout", key: "broken", type: "boolean" } },
  ]);
  const deadBefore = await counterValue();
  const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} }, { maxAttempts: 3, rowBackoffBaseMs: 1, rowBackoffMaxMs: 5 });

  const first = await relay.runOnce();
  // The good row is published regardless of its neighbours' failures.
  expect(first).toMatchObject({ claimed: 3, done: 1, rowFailures: 2, deadLettered: 0, unavailable: null });
  for (let i = 0; i < 20 && (await outboxCounts(env.db)).dead < 2; i++) {
    await new Promise((r) => setTimeout(r, 10));
    await relay.runOnce();
  }
  const rows = await env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "dead"));
  expect(rows).toHaveLength(2);
  for (const r of rows) {
    expect(r.attempts).toBe(3);
    expect(r.lastError).toBeTruthy();
  }
  expect((await counterValue()) - deadBefore).toBe(2);
  expect(await outboxStats({ ctx: env.ctx() })).toMatchObject({ pending: 0, dead: 2 });

  // Only super-admins may see or retry them; an editor is refused and nothing changes.
  const editor = userActor("eddie", [{ namespaceKey: null, role: "admin", environmentKeys: null }]);
  await expect(listDeadLetters({ ctx: env.ctx(editor), input: {} })).rejects.toMatchObject({ code: "forbidden" });
  await expect(retryDeadLetters({ ctx: env.ctx(editor), input: {} })).rejects.toMatchObject({ code: "forbidden" });
  const listed = await listDeadLetters({ ctx: env.ctx(), input: { limit: 1 } });
  expect(listed.items).toHaveLength(1);
  expect(listed.nextAfterId).toBe(listed.items[0]!.id);

  const target = rows[1]!.id;
  const res = await retryDeadLetters({ ctx: env.ctx(), input: { ids: [target], reason: "fixed the payload" } });
  expect(res).toEqual({ retried: 1, ids: [target] });
  const [again] = await env.db.select().from(outboxEvents).where(eq(outboxEvents.id, target));
  expect(again).toMatchObject({ status: "pending", attempts: 0 });
  const audits = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "outbox.retry"));
  expect(audits).toHaveLength(1);
  expect(audits[0]).toMatchObject({ actorName: "system", reason: "fixed the payload", targetId: target });

  const all = await retryDeadLetters({ ctx: env.ctx(), input: {} });
  expect(all.retried).toBe(1); // the other dead row; the already-pending one is not touched
  expect(await outboxCounts(env.db)).toMatchObject({ pending: 2, dead: 0 });
});
