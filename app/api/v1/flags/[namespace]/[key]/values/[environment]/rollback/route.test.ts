import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { auditEvents } from "@/lib/db/schema";
import { flagKey } from "@/lib/etcd/keys";
import { parseDocument } from "@/lib/flags/document";
import { waitFor } from "@/tests/support/test-env";

let api: ApiHarness;
let admin: string;
let editor: string;
let viewer: string;
const FLAG = "/api/v1/flags/checkout/limit";
const ROLLBACK = `${FLAG}/values/production/rollback`;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  await api.call("POST", "/api/v1/environments", { token: admin, json: { key: "production", name: "Production" } });
  await api.call("POST", "/api/v1/environments", { token: admin, json: { key: "staging", name: "Staging" } });
  await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "checkout", name: "Checkout" } });
  const made = await api.call("POST", "/api/v1/flags", {
    token: admin,
    json: { namespace: "checkout", key: "limit", type: "number", values: { production: 10, staging: 1 } },
  });
  expect(made.status, made.text).toBe(201);
  // production: v1 = 10, v2 = 20, v3 = 30
  for (const value of [20, 30]) {
    expect((await api.call("PUT", `${FLAG}/values/production`, { token: admin, json: { value } })).status).toBe(200);
  }
  editor = await api.token({ role: "editor", namespaces: ["checkout"] });
  viewer = await api.token({ role: "viewer", namespaces: ["checkout"] });
});
afterAll(() => api?.close());

async function etcdDoc() {
  const raw = await api.env.etcd.root.get(flagKey({ environment: "production", namespace: "checkout", key: "limit" })).string();
  return parseDocument(raw ?? null);
}

describe("GET /api/v1/flags/{namespace}/{key}/values/{environment}/versions", () => {
  it("lists the audited versions of one environment's value, newest first", async () => {
    const res = await api.call("GET", `${FLAG}/values/production/versions`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.json.versions.map((v: { version: number; value: number }) => [v.version, v.value])).toEqual([[3, 30], [2, 20], [1, 10]]);
    expect(res.json.versions.every((v: { environment: string }) => v.environment === "production")).toBe(true);
    expect((await api.call("GET", `${FLAG}/values/production/versions`, { token: viewer })).status).toBe(403);
  });
});

describe("POST /api/v1/flags/{namespace}/{key}/values/{environment}/rollback", () => {
  it("restores an old value as a NEW version: audited, naming what it restores, and published to etcd", async () => {
    const res = await api.call("POST", ROLLBACK, { token: editor, json: { toVersion: 1, expectedVersion: 3, reason: "bad deploy" } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.values.production).toMatchObject({ value: 10, version: 4 });
    expect(res.json.values.staging).toMatchObject({ value: 1, version: 1 });

    const [audit] = await api.env.db.select().from(auditEvents)
      .where(and(eq(auditEvents.flagKey, "limit"), eq(auditEvents.environmentKey, "production"))).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ action: "flag_value.set", before: { value: 30, version: 3 }, after: { value: 10, version: 4 } });
    expect(audit?.reason).toMatch(/^Rollback to version 1 \(audit event #\d+\): bad deploy$/);

    const doc = await waitFor(async () => {
      const d = await etcdDoc();
      return d && d.version >= 4 ? d : null;
    }, "the rolled-back value in etcd");
    expect(doc).toMatchObject({ namespace: "checkout", key: "limit", value: 10, version: 4 });

    const versions = await api.call("GET", `${FLAG}/values/production/versions`, { token: admin });
    expect(versions.json.versions[0]).toMatchObject({ version: 4, value: 10 });
  });

  it("refuses a stale expectedVersion with 409 and details.currentVersion, changing nothing", async () => {
    const before = await api.counts();
    const res = await api.call("POST", ROLLBACK, { token: admin, json: { toVersion: 2, expectedVersion: 3 } });
    expect(res.status).toBe(409);
    expect(res.json.error.details.currentVersion).toBe(4);
    expect(await api.counts()).toEqual(before);
    expect((await etcdDoc())?.version).toBe(4);
  });

  it("rejects bad input (422 naming the field), unknown versions (404), the current version (400) and readers (403), changing nothing", async () => {
    const before = await api.counts();
    const call = async (json: unknown, token = admin, url = ROLLBACK) => {
      const res = await api.call("POST", url, { token, json });
      return [res.status, res.json?.error?.issues?.[0]?.path];
    };
    expect(await call({ toVersion: "one" })).toEqual([422, "toVersion"]);
    expect(await call({})).toEqual([422, "toVersion"]);
    expect(await call({ toVersion: 0 })).toEqual([422, "toVersion"]);
    expect(await call({ toVersion: 1, expectedVersion: -2 })).toEqual([422, "expectedVersion"]);
    expect(await call({ toVersion: 1, value: 99 })).toEqual([422, "(body)"]);
    expect(await call({ toVersion: 1 }, admin, "/api/v1/flags/checkout/limit/values/Prod!/rollback")).toEqual([422, "environment"]);
    expect(await call({ toVersion: 99 })).toEqual([404, undefined]);
    expect(await call({ toVersion: 1 }, admin, "/api/v1/flags/checkout/nope/values/production/rollback")).toEqual([404, undefined]);
    expect(await call({ toVersion: 4 })).toEqual([400, undefined]);
    expect(await call({ toVersion: 1 }, viewer)).toEqual([403, undefined]);
    expect(await api.counts()).toEqual(before);
  });
});
