import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outboxEvents } from "../../lib/db/schema";
import { createSegment, deleteSegment } from "../../lib/segments/segment-verbs";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { OutboxRelay } from "../relay/outbox-relay";
import { seedScopes } from "../../tests/support/workers/fixtures";
import { reconcileOnce } from "./reconcile-once";

/**
 * Issue 14: segment keys travel like flag keys. The relay publishes a segment's outbox rows (one
 * per environment), and the reconciler repairs segment keys: a lost publish (missing), same-version
 * drift, an orphan segment nobody has in MySQL (removed behind a tombstone), a deleted segment's
 * missing tombstone; each repair audited, and a second pass finds nothing to do.
 */
let env: TestEnv;
const get = async (key: string) => {
  const raw = await env.etcd.root.get(key).string();
  return raw === null ? null : JSON.parse(raw);
};

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.ctx(), "checkout", ["production", "staging"]);
});
afterAll(() => env?.cleanup());

describe("segment keys: relay and reconciler", () => {
  it("the relay publishes a segment's outbox rows to every environment", async () => {
    await createSegment({ ctx: env.ctx(), input: { namespace: "checkout", key: "beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] } });
    const relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} });
    await relay.runOnce();
    await relay.stop();
    for (const e of ["production", "staging"]) expect(await get(`segments/${e}/checkout/beta`)).toMatchObject({ key: "beta", version: 1 });
    expect((await env.db.select().from(outboxEvents)).every((r) => r.status === "done")).toBe(true);
  });

  it("repairs missing, drifted, orphaned and untombstoned segment keys, audits each, and then converges", async () => {
    // Lost publishes: a segment whose outbox rows were marked done without reaching etcd.
    await createSegment({ ctx: env.ctx(), input: { namespace: "checkout", key: "lost", constraints: [] } });
    await env.db.update(outboxEvents).set({ status: "done" });
    // Drift at the same version, an orphan, and a deleted segment whose tombstone went missing.
    await env.etcd.root.put("segments/staging/checkout/beta").value(JSON.stringify({ namespace: "checkout", key: "beta", constraints: [], version: 1, updatedAt: "x" }));
    await env.etcd.root.put("segments/production/checkout/ghost").value(JSON.stringify({ namespace: "checkout", key: "ghost", constraints: [], version: 3, updatedAt: "x" }));
    await createSegment({ ctx: env.ctx(), input: { namespace: "checkout", key: "gone", constraints: [] } });
    await deleteSegment({ ctx: env.ctx(), input: { namespace: "checkout", segmentKey: "gone" } });
    await env.db.update(outboxEvents).set({ status: "done" });

    const report = await reconcileOnce({ db: env.db, root: env.etcd.root });
    expect(report.repairs).toMatchObject({ missing: 2, drift: 1, orphan: 1, tombstone: 2 });
    expect(await get("segments/production/checkout/lost")).toMatchObject({ version: 1 });
    expect(await get("segments/staging/checkout/beta")).toMatchObject({ constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] });
    expect(await get("segments/production/checkout/ghost")).toBeNull();
    expect(await get("segment-tombstones/production/checkout/ghost")).toMatchObject({ version: 3 });
    expect(await get("segment-tombstones/staging/checkout/gone")).toMatchObject({ version: 2 });
    const audits = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "reconcile.repair"));
    expect(audits.filter((a) => a.targetType === "segment")).toHaveLength(6);

    const again = await reconcileOnce({ db: env.db, root: env.etcd.root });
    expect(Object.values(again.repairs).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
