import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { auditEvents, outboxEvents } from "@/lib/db/schema";

let api: ApiHarness;
let admin: string;
let viewer: string;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  viewer = await api.token({ role: "viewer", namespaces: null });
  const now = new Date();
  await api.env.db.insert(outboxEvents).values([
    { etcdKey: "flags/production/checkout/a", op: "put", version: 3, payload: { broken: true }, status: "dead", attempts: 10, lastError: "invalid payload", nextAttemptAt: now },
    { etcdKey: "flags/production/checkout/b", op: "put", version: 1, payload: { broken: true }, status: "dead", attempts: 10, lastError: "invalid payload", nextAttemptAt: now },
  ]);
});
afterAll(() => api.close());

describe("outbox admin API", () => {
  it("shows dead-lettered rows in the stats and the list", async () => {
    const stats = await api.call("GET", "/api/v1/outbox", { token: viewer });
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ dead: 2 });
    const list = await api.call("GET", "/api/v1/outbox/dead-letters?limit=1", { token: admin });
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0]).toMatchObject({ etcdKey: "flags/production/checkout/a", lastError: "invalid payload" });
    expect(list.json.nextAfterId).not.toBeNull();
  });

  it("only a super-admin may list or retry dead letters; a denied retry changes nothing", async () => {
    expect((await api.call("GET", "/api/v1/outbox/dead-letters", { token: viewer })).status).toBe(403);
    const before = await api.counts();
    const denied = await api.call("POST", "/api/v1/outbox/dead-letters/retry", { token: viewer, json: {} });
    expect(denied.status).toBe(403);
    expect(await api.counts()).toEqual(before);
    const dead = await api.env.db.select().from(outboxEvents).where(eq(outboxEvents.status, "dead"));
    expect(dead).toHaveLength(2);
  });

  it("retry puts the rows back in the queue and is audited", async () => {
    const [first] = await api.env.db.select().from(outboxEvents).where(eq(outboxEvents.etcdKey, "flags/production/checkout/a"));
    const res = await api.call("POST", "/api/v1/outbox/dead-letters/retry", { token: admin, json: { ids: [first!.id], reason: "fixed" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ retried: 1, ids: [first!.id] });
    const [row] = await api.env.db.select().from(outboxEvents).where(eq(outboxEvents.id, first!.id));
    expect(row).toMatchObject({ status: "pending", attempts: 0 });
    const audit = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "outbox.retry"));
    expect(audit).toHaveLength(1);
    expect((await api.call("POST", "/api/v1/outbox/dead-letters/retry", { token: admin, json: { ids: ["x"] } })).status).toBe(422);
  });
});
