import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, idempotencyKeys, outboxEvents } from "../db/schema";
import { KEY_COUNT_REUSE_MS } from "../idempotency/key-cap";
import { MAX_KEYS_PER_SCOPE } from "../idempotency/keys";
import { startApiHarness, type ApiHarness } from "../../tests/support/api-test-harness";

// Idempotency-Key on the value writes, through the Next route files (the worker mounts the same
// handlers; workers/stream-server/freeze.test.ts covers that transport under freezes).
let api: ApiHarness;
let admin: string;
let other: string;
const FLAG = "/api/v1/flags/checkout/limit";
const PUT = `${FLAG}/values/production`;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  other = await api.token({ role: "admin", namespaces: null, superAdmin: true, name: "other" });
  await api.call("POST", "/api/v1/environments", { token: admin, json: { key: "production", name: "Production" } });
  await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "checkout", name: "Checkout" } });
  const made = await api.call("POST", "/api/v1/flags", { token: admin, json: { namespace: "checkout", key: "limit", type: "number", values: { production: 1 } } });
  expect(made.status, made.text).toBe(201);
});
afterAll(() => api?.close());

const version = async () => (await api.call("GET", FLAG, { token: admin })).json.values.production.version as number;
const audits = async () => (await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "flag_value.set"))).length;

describe("Idempotency-Key on value writes", () => {
  it("a retry with the same key and body replays the first answer and writes nothing", async () => {
    const before = { version: await version(), audits: await audits(), outbox: (await api.env.db.select().from(outboxEvents)).length };
    const first = await api.call("PUT", PUT, { token: admin, json: { value: 7 }, headers: { "Idempotency-Key": "deploy-1/step-1" } });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await api.call("PUT", PUT, { token: admin, json: { value: 7 }, headers: { "Idempotency-Key": "deploy-1/step-1" } });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(first.json);
    expect(await version()).toBe(before.version + 1);
    expect(await audits()).toBe(before.audits + 1);
    expect((await api.env.db.select().from(outboxEvents)).length).toBe(before.outbox + 1);
  });

  it("the same key with a different body is refused with idempotency_key_reused and changes nothing", async () => {
    await api.call("PUT", PUT, { token: admin, json: { value: 8 }, headers: { "Idempotency-Key": "k-reuse" } });
    const v = await version();
    const res = await api.call("PUT", PUT, { token: admin, json: { value: 9 }, headers: { "Idempotency-Key": "k-reuse" } });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("idempotency_key_reused");
    expect(await version()).toBe(v);
  });

  it("concurrent requests with one key write once and all get the same answer", async () => {
    const v = await version();
    const all = await Promise.all(
      Array.from({ length: 6 }, () => api.call("PUT", PUT, { token: admin, json: { value: 11 }, headers: { "Idempotency-Key": "k-race" } })),
    );
    expect(all.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(all.map((r) => r.text)).size).toBe(1);
    expect(await version()).toBe(v + 1);
  });

  it("keys belong to their caller: another token's same key is a new write", async () => {
    const v = await version();
    await api.call("PUT", PUT, { token: admin, json: { value: 12 }, headers: { "Idempotency-Key": "k-shared" } });
    const res = await api.call("PUT", PUT, { token: other, json: { value: 12 }, headers: { "Idempotency-Key": "k-shared" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await version()).toBe(v + 2);
  });

  it("a refused write keeps no key: the retry runs again (and is refused again)", async () => {
    const stale = { value: 13, expectedVersion: 1 };
    const a = await api.call("PUT", PUT, { token: admin, json: stale, headers: { "Idempotency-Key": "k-409" } });
    expect(a.status).toBe(409);
    expect(await api.env.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.idemKey, "k-409"))).toEqual([]);
    const b = await api.call("PUT", PUT, { token: admin, json: { value: 13, expectedVersion: await version() }, headers: { "Idempotency-Key": "k-409" } });
    // A different body (expectedVersion) is fine: nothing was stored for the refused one.
    expect(b.status, b.text).toBe(200);
  });

  it("a malformed key is a 422 naming the header, and nothing is written", async () => {
    const v = await version();
    const res = await api.call("PUT", PUT, { token: admin, json: { value: 14 }, headers: { "Idempotency-Key": "has space" } });
    expect(res.status).toBe(422);
    expect(res.json.error.issues[0].path).toBe("Idempotency-Key");
    expect(await version()).toBe(v);
  });

  it("the bulk POST /api/v1/value-changes replays too", async () => {
    const body = { changes: [{ namespace: "checkout", key: "limit", environment: "production", value: 21 }], reason: "bulk" };
    const v = await version();
    const first = await api.call("POST", "/api/v1/value-changes", { token: admin, json: body, headers: { "Idempotency-Key": "bulk-1" } });
    expect(first.status, first.text).toBe(200);
    const again = await api.call("POST", "/api/v1/value-changes", { token: admin, json: body, headers: { "Idempotency-Key": "bulk-1" } });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(first.json);
    expect(await version()).toBe(v + 1);
  });

  it("keys are bounded per caller: past the cap a keyed write is refused (429) and changes nothing", async () => {
    const capped = await api.token({ role: "admin", namespaces: null, superAdmin: true, name: "capped" });
    const first = await api.call("PUT", PUT, { token: capped, json: { value: 30 }, headers: { "Idempotency-Key": "cap-0" } });
    expect(first.status).toBe(200);
    const [row] = await api.env.db.select({ scope: idempotencyKeys.scope }).from(idempotencyKeys).where(eq(idempotencyKeys.idemKey, "cap-0"));
    // Fill the caller's allowance straight in the table: 10^5 rows from five digit tables.
    const digits = sql.raw("(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)");
    expect(MAX_KEYS_PER_SCOPE).toBeLessThanOrEqual(100_000);
    await api.env.db.execute(
      sql`INSERT INTO idempotency_keys (scope, idem_key) SELECT ${row!.scope}, CONCAT('filler-', a.d * 10000 + b.d * 1000 + c.d * 100 + f.d * 10 + e.d) FROM ${digits} a CROSS JOIN ${digits} b CROSS JOIN ${digits} c CROSS JOIN ${digits} f CROSS JOIN ${digits} e`,
    );
    // A process counts a caller's keys again at least every KEY_COUNT_REUSE_MS (idempotency/key-cap.ts).
    await new Promise((r) => setTimeout(r, KEY_COUNT_REUSE_MS + 50));
    const v = await version();
    const res = await api.call("PUT", PUT, { token: capped, json: { value: 31 }, headers: { "Idempotency-Key": "cap-1" } });
    expect(res.status).toBe(429);
    expect(await version()).toBe(v);
    // A replay of a stored key is still answered, and keyless writes are not limited.
    expect((await api.call("PUT", PUT, { token: capped, json: { value: 30 }, headers: { "Idempotency-Key": "cap-0" } })).headers.get("idempotent-replayed")).toBe("true");
    expect((await api.call("PUT", PUT, { token: capped, json: { value: 32 } })).status).toBe(200);
  });

  it("the OpenAPI document describes the header, the 422 and the 504 commit_outcome_unknown", async () => {
    const doc = await api.call("GET", "/api/v1/openapi.json");
    const op = doc.json.paths["/api/v1/flags/{namespace}/{key}/values/{environment}"].put;
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["422", "504"]));
    expect(op.description).toMatch(/commit_outcome_unknown/);
    expect(doc.json.paths["/api/v1/value-changes"].post.responses["504"]).toBeDefined();
  });
});
