import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { auditEvents, outboxEvents } from "@/lib/db/schema";
import { flagKey } from "@/lib/etcd/keys";
import { parseDocument } from "@/lib/flags/document";
import { waitFor } from "@/tests/support/test-env";

let api: ApiHarness;
let admin: string;
const URL_PROD = "/api/v1/flags/checkout/checkout-limit/values/production";

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  await api.call("POST", "/api/v1/environments", { token: admin, json: { key: "production", name: "Production" } });
  await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "checkout", name: "Checkout" } });
  const res = await api.call("POST", "/api/v1/flags", {
    token: admin,
    json: { namespace: "checkout", key: "checkout-limit", type: "number", defaultValue: 1 },
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

async function etcdDoc() {
  const raw = await api.env.etcd.root.get(flagKey({ environment: "production", namespace: "checkout", key: "checkout-limit" })).string();
  return parseDocument(raw ?? null);
}

describe("PUT /api/v1/flags/{namespace}/{key}/values/{environment}", () => {
  it("lets exactly one of 20 concurrent writers with the same expectedVersion win; the rest get 409 and change nothing", async () => {
    const current = (await api.call("GET", "/api/v1/flags/checkout/checkout-limit", { token: admin })).json.values.production;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call("PUT", URL_PROD, { token: admin, json: { value: 100 + i, expectedVersion: current.version } }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    for (const c of conflicts) expect(c.json.error.details.currentVersion).toBeGreaterThanOrEqual(current.version);
    const after = (await api.call("GET", "/api/v1/flags/checkout/checkout-limit", { token: admin })).json.values.production;
    expect(after.version).toBe(current.version + 1);
    expect(after.value).toBe(ok[0]!.json.values.production.value);
    const audits = await api.env.db.select().from(auditEvents)
      .where(and(eq(auditEvents.flagKey, "checkout-limit"), eq(auditEvents.action, "flag_value.set")));
    expect(audits).toHaveLength(1);
  });

  it("gives 20 concurrent unconditional writers 20 distinct, consecutive versions", async () => {
    const start = (await api.call("GET", "/api/v1/flags/checkout/checkout-limit", { token: admin })).json.values.production.version;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.call("PUT", URL_PROD, { token: admin, json: { value: i } })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = results.map((r) => r.json.values.production.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
    const rows = await api.env.db.select({ version: outboxEvents.version }).from(outboxEvents)
      .where(eq(outboxEvents.etcdKey, flagKey({ environment: "production", namespace: "checkout", key: "checkout-limit" })));
    const outboxVersions = rows.map((r) => r.version);
    expect(new Set(outboxVersions).size).toBe(outboxVersions.length);
    // etcd converges on the newest version (the fence never lets an older publish overwrite it).
    const last = versions[versions.length - 1]!;
    const doc = await waitFor(async () => ((await etcdDoc())?.version === last ? etcdDoc() : null), "etcd to hold the last version");
    const winner = results.find((r) => r.json.values.production.version === last)!;
    expect(doc.value).toBe(winner.json.values.production.value);
  });

  it("publishes a change to etcd within milliseconds of the response (no relay running)", async () => {
    const res = await api.call("PUT", URL_PROD, { token: admin, json: { value: 4242, reason: "propagation" } });
    expect(res.status).toBe(200);
    const version = res.json.values.production.version;
    const started = Date.now();
    const doc = await waitFor(async () => {
      const d = await etcdDoc();
      return d && d.version >= version ? d : null;
    }, "the value in etcd", 2_000, 5);
    const elapsed = Date.now() - started;
    expect(doc).toMatchObject({ namespace: "checkout", key: "checkout-limit", type: "number", value: 4242, version });
    expect(elapsed).toBeLessThan(500);
  });
});
