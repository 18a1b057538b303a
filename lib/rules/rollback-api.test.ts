import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outboxEvents } from "../db/schema";
import type { ApiHarness } from "../../tests/support/api-test-harness";
import { SEGMENTS_PATH as SEG, readEtcdJson, startShopApi, targetingPath as T } from "../../tests/support/shop-api";
import { waitFor } from "../../tests/support/test-env";

/**
 * Issue 14, "rule and segment changes ... can be rolled back like values": the rules and segment
 * rollback endpoints against real MariaDB and etcd. Each test names the guarantee it proves; every
 * refusal is checked to change nothing.
 */
let api: ApiHarness;
let admin: string;
let editor: string;
let reviewer: string;
let prodOnly: string;

const VALUE = "/api/v1/flags/shop/checkout/values/production";
const ruleA = { rules: [{ name: "beta", constraints: [], segments: ["beta"], serve: { value: true } }] };
const ruleB = { rules: [{ name: "pro", constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], segments: [], serve: { value: true } }] };

const etcdJson = (key: string) => readEtcdJson(api, key);

const lastAudit = async (action: string) => (await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(desc(auditEvents.id)).limit(1))[0];

beforeAll(async () => {
  ({ api, admin, editor, reviewer } = await startShopApi());
  prodOnly = await api.token({ role: "viewer", namespaces: ["shop"], name: "viewer" });
  expect((await api.call("POST", "/api/v1/flags", { token: admin, json: { namespace: "shop", key: "checkout", type: "boolean" } })).status).toBe(201);
  expect((await api.call("POST", SEG, { token: editor, json: { key: "beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] } })).status).toBe(201);
  // v2 rules A, v3 a value change (rules untouched), v4 rules B.
  expect((await api.call("PUT", T("checkout"), { token: editor, json: { ...ruleA, expectedVersion: 1 } })).status).toBe(200);
  expect((await api.call("PUT", VALUE, { token: editor, json: { value: true, expectedVersion: 2 } })).status).toBe(200);
  expect((await api.call("PUT", T("checkout"), { token: editor, json: { ...ruleB, expectedVersion: 3 } })).status).toBe(200);
});
afterAll(() => api.close());

describe("rules rollback", () => {
  it("lists the audited rule sets newest first, keyset paged, ending with the rules the first save replaced", async () => {
    const all = await api.call("GET", `${T("checkout")}/versions`, { token: reviewer });
    expect(all.status).toBe(200);
    expect(all.json.versions.map((v: { version: number; targeting: object }) => [v.version, v.targeting])).toEqual([[4, ruleB], [2, ruleA], [1, {}]]);
    expect(all.json.nextCursor).toBeNull();
    const first = await api.call("GET", `${T("checkout")}/versions?limit=1`, { token: reviewer });
    expect(first.json.versions.map((v: { version: number }) => v.version)).toEqual([4]);
    const rest = await api.call("GET", `${T("checkout")}/versions?limit=5&cursor=${first.json.nextCursor}`, { token: reviewer });
    expect(rest.json.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await api.call("GET", `${T("checkout", "staging")}/versions`, { token: reviewer })).json.versions).toEqual([]);
  });

  it("restores the rules of an earlier version as a new version: value untouched, audit row with reason, outbox, SDK document", async () => {
    const res = await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 2, expectedVersion: 4, reason: "pro rule broke checkout" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version: 5, value: true, targeting: ruleA });
    const audit = await lastAudit("flag_targeting.set");
    expect(audit).toMatchObject({ flagKey: "checkout", environmentKey: "production", before: { targeting: ruleB, version: 4 }, after: { targeting: ruleA, version: 5 } });
    expect(audit!.reason).toMatch(/^Rollback of the rules to version 2 \(audit event #\d+\): pro rule broke checkout$/);
    const [row] = await api.env.db.select().from(outboxEvents).where(and(eq(outboxEvents.etcdKey, "flags/production/shop/checkout"), eq(outboxEvents.version, 5)));
    expect(row!.payload).toMatchObject({ value: true, version: 5, targeting: ruleA });
    await waitFor(async () => (await etcdJson("flags/production/shop/checkout"))?.version === 5, "rollback published");
    expect(await etcdJson("flags/production/shop/checkout")).toMatchObject({ value: true, targeting: ruleA });
  });

  it("refuses a stale expectedVersion (409 with details.currentVersion), a version not earlier (400), an unknown one (404) and readers (403), changing nothing", async () => {
    const before = await api.counts();
    const stale = await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 4, expectedVersion: 4 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details.currentVersion).toBe(5);
    expect((await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 5 } })).status).toBe(400);
    expect((await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 99 } })).status).toBe(404);
    for (const token of [reviewer, prodOnly]) expect((await api.call("POST", `${T("checkout")}/rollback`, { token, json: { toVersion: 4 } })).status).toBe(403);
    expect((await api.call("GET", `${T("checkout")}/versions`, { token: prodOnly })).status).toBe(403);
    expect(await api.counts()).toEqual(before);
  });

  it("refuses with 422 naming it when the old rules use a segment deleted since, and changes nothing", async () => {
    expect((await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 1 } })).json).toMatchObject({ version: 6, targeting: {} });
    expect((await api.call("DELETE", `${SEG}/beta`, { token: editor })).status).toBe(200);
    const before = await api.counts();
    const res = await api.call("POST", `${T("checkout")}/rollback`, { token: editor, json: { toVersion: 2 } });
    expect(res.status).toBe(422);
    expect(res.json.error.message).toBe("The rules of version 2 cannot be restored: rules.0.segments.0: no segment 'beta'");
    expect(res.json.error.issues).toEqual([{ path: "rules.0.segments.0", message: "no segment 'beta'" }]);
    expect(await api.counts()).toEqual(before);
  });
});

describe("segment rollback", () => {
  const X = [{ contextName: "plan", operator: "IN", values: ["pro"] }];
  const Y = [{ contextName: "plan", operator: "IN", values: ["pro", "team"] }];

  it("lists a segment's versions and restores one as a new version published to every environment, with its audit row", async () => {
    expect((await api.call("POST", SEG, { token: editor, json: { key: "pro", name: "Pro", constraints: X } })).status).toBe(201);
    expect((await api.call("PATCH", `${SEG}/pro`, { token: editor, json: { name: "Paying", constraints: Y, expectedVersion: 1 } })).status).toBe(200);
    const list = await api.call("GET", `${SEG}/pro/versions`, { token: reviewer });
    expect(list.json.versions.map((v: { version: number; name: string; constraints: unknown }) => [v.version, v.name, v.constraints])).toEqual([[2, "Paying", Y], [1, "Pro", X]]);
    const res = await api.call("POST", `${SEG}/pro/rollback`, { token: editor, json: { toVersion: 1, expectedVersion: 2, reason: "team plan not ready" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ key: "pro", name: "Pro", constraints: X, version: 3 });
    const audit = await lastAudit("segment.update");
    expect(audit).toMatchObject({ targetType: "segment", before: { version: 2, constraints: Y }, after: { version: 3, constraints: X } });
    expect(audit!.reason).toMatch(/^Rollback to version 1 \(audit event #\d+\): team plan not ready$/);
    for (const env of ["production", "staging"]) {
      await waitFor(async () => (await etcdJson(`segments/${env}/shop/pro`))?.version === 3, `segment rollback published to ${env}`);
      expect(await etcdJson(`segments/${env}/shop/pro`)).toMatchObject({ name: "Pro", constraints: X });
    }
  });

  it("refuses a stale expectedVersion (409), readers (403) and a deleted segment (404: it does not exist now), changing nothing", async () => {
    const before = await api.counts();
    const stale = await api.call("POST", `${SEG}/pro/rollback`, { token: editor, json: { toVersion: 1, expectedVersion: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details.currentVersion).toBe(3);
    expect((await api.call("POST", `${SEG}/pro/rollback`, { token: reviewer, json: { toVersion: 2 } })).status).toBe(403);
    expect(await api.counts()).toEqual(before);
    expect((await api.call("DELETE", `${SEG}/pro`, { token: editor })).status).toBe(200);
    const gone = await api.call("POST", `${SEG}/pro/rollback`, { token: editor, json: { toVersion: 2 } });
    expect(gone.status).toBe(404);
    // The history stays readable after the delete.
    expect((await api.call("GET", `${SEG}/pro/versions`, { token: reviewer })).json.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  });
});
