import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outboxEvents, segments } from "../db/schema";
import type { ApiHarness } from "../../tests/support/api-test-harness";
import { SEGMENTS_PATH as SEG, readEtcdJson, startShopApi, targetingPath as T } from "../../tests/support/shop-api";
import { waitFor } from "../../tests/support/test-env";

/**
 * Issue 14, server side: the rules and segment admin API against real MariaDB and etcd. Each test
 * names the guarantee it proves; every refusal is checked to change nothing (counts, etcd).
 */
let api: ApiHarness;
let admin: string;
let editor: string;
let reviewer: string;

const etcdJson = (key: string) => readEtcdJson(api, key);

async function counts() {
  return { ...(await api.counts()), segments: (await api.env.db.select().from(segments)).length };
}

beforeAll(async () => {
  ({ api, admin, editor, reviewer } = await startShopApi());
  for (const key of ["checkout", "payments", "banner"]) {
    expect((await api.call("POST", "/api/v1/flags", { token: admin, json: { namespace: "shop", key, type: "boolean" } })).status).toBe(201);
  }
});
afterAll(() => api.close());

describe("segments API", () => {
  it("creates a segment: version 1, one audit row, one outbox row and one etcd key per environment", async () => {
    const res = await api.call("POST", SEG, { token: editor, json: { key: "beta", name: "Beta testers", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ namespace: "shop", key: "beta", name: "Beta testers", version: 1 });
    const rows = await api.env.db.select().from(outboxEvents).where(eq(outboxEvents.op, "put"));
    expect(rows.filter((r) => r.etcdKey.startsWith("segments/")).map((r) => r.etcdKey).sort()).toEqual(["segments/production/shop/beta", "segments/staging/shop/beta"]);
    const [audit] = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "segment.create"));
    expect(audit).toMatchObject({ targetType: "segment", namespaceKey: "shop", before: null });
    const doc = await waitFor(() => etcdJson("segments/staging/shop/beta"), "segment published");
    expect(doc).toMatchObject({ namespace: "shop", key: "beta", name: "Beta testers", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }], version: 1 });
  });

  it("refuses a malformed constraint value with 422 naming its path, and writes nothing", async () => {
    const before = await counts();
    const res = await api.call("POST", SEG, { token: editor, json: { key: "bad", constraints: [{ contextName: "ip", operator: "IN_CIDR", values: ["10.0.0.0/8", "not-a-cidr"] }] } });
    expect(res.status).toBe(422);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toEqual(["constraints.0.values.1"]);
    expect(await counts()).toEqual(before);
  });

  it("a stale expectedVersion on update is 409 with details.currentVersion; a reviewer is refused (403); neither changes anything", async () => {
    const before = await counts();
    const stale = await api.call("PATCH", `${SEG}/beta`, { token: editor, json: { constraints: [], expectedVersion: 7 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details.currentVersion).toBe(1);
    expect((await api.call("PATCH", `${SEG}/beta`, { token: reviewer, json: { constraints: [] } })).status).toBe(403);
    expect((await api.call("POST", SEG, { token: reviewer, json: { key: "x", constraints: [] } })).status).toBe(403);
    expect(await counts()).toEqual(before);
    expect((await api.call("GET", `${SEG}/beta`, { token: reviewer })).json.version).toBe(1);
  });
});

describe("targeting API", () => {
  const rule = (constraint: object) => ({ rules: [{ constraints: [constraint], serve: { value: true } }] });

  it.each([
    ["bad semver", { contextName: "appVersion", operator: "SEMVER_GTE", value: "2.x" }, "rules.0.constraints.0.value"],
    ["bad date", { contextName: "currentTime", operator: "DATE_AFTER", value: "next tuesday" }, "rules.0.constraints.0.value"],
    ["bad regex", { contextName: "email", operator: "REGEX", value: "(a" }, "rules.0.constraints.0.value"],
    ["bad CIDR", { contextName: "remoteAddress", operator: "IN_CIDR", values: ["300.1.1.1/8"] }, "rules.0.constraints.0.values.0"],
  ])("refuses a %s with 422 naming the field, and changes nothing", async (_kind, constraint, path) => {
    const before = await counts();
    const res = await api.call("PUT", T("checkout"), { token: editor, json: rule(constraint) });
    expect(res.status).toBe(422);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it("refuses an unknown segment and an unknown prerequisite flag with 422 naming them", async () => {
    const before = await counts();
    const seg = await api.call("PUT", T("checkout"), { token: editor, json: { rules: [{ segments: ["nope"], serve: { value: true } }] } });
    expect(seg.status).toBe(422);
    expect(seg.json.error.issues).toEqual([{ path: "rules.0.segments.0", message: "no segment 'nope'" }]);
    const pre = await api.call("PUT", T("checkout"), { token: editor, json: { prerequisites: [{ flag: "ghost" }] } });
    expect(pre.status).toBe(422);
    expect(pre.json.error.issues).toEqual([{ path: "prerequisites.0.flag", message: "no flag 'ghost'" }]);
    expect(await counts()).toEqual(before);
  });

  it("saves rules: version +1 shared with the value, audit before/after, outbox and etcd document carry `targeting`", async () => {
    const body = { rules: [{ name: "beta", segments: ["beta"], gate: { percentage: 30 }, serve: { value: true } }], prerequisites: [{ flag: "payments" }] };
    const res = await api.call("PUT", T("checkout"), { token: editor, json: { ...body, expectedVersion: 1 } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ namespace: "shop", key: "checkout", environment: "production", value: false, version: 2 });
    const stored = { prerequisites: [{ flag: "payments", enabled: true }], rules: [{ name: "beta", constraints: [], segments: ["beta"], gate: { percentage: 30 }, serve: { value: true } }] };
    expect(res.json.targeting).toEqual(stored);
    const [audit] = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "flag_targeting.set"));
    expect(audit).toMatchObject({ flagKey: "checkout", environmentKey: "production", before: { targeting: {}, version: 1 }, after: { targeting: stored, version: 2 } });
    const [row] = await api.env.db.select().from(outboxEvents).where(and(eq(outboxEvents.etcdKey, "flags/production/shop/checkout"), eq(outboxEvents.version, 2)));
    expect(row!.payload).toMatchObject({ type: "boolean", value: false, version: 2, targeting: stored });
    await waitFor(async () => (await etcdJson("flags/production/shop/checkout"))?.version === 2, "rules published");
    expect((await etcdJson("flags/production/shop/checkout")).targeting).toEqual(stored);
    // The other environment is untouched.
    expect((await api.call("GET", T("checkout", "staging"), { token: reviewer })).json).toMatchObject({ version: 1, targeting: {} });
  });

  it("a value write after a rules save keeps the rules in the published document (one version, one document)", async () => {
    const res = await api.call("PUT", "/api/v1/flags/shop/checkout/values/production", { token: editor, json: { value: true, expectedVersion: 2 } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await etcdJson("flags/production/shop/checkout"))?.version === 3, "value published");
    const doc = await etcdJson("flags/production/shop/checkout");
    expect(doc).toMatchObject({ value: true, version: 3, targeting: { rules: [{ segments: ["beta"] }] } });
    expect((await api.call("GET", "/api/v1/flags/shop/checkout", { token: reviewer })).json.values.production).toMatchObject({ value: true, version: 3 });
  });

  it("refuses a prerequisite cycle with 422 naming the cycle", async () => {
    const before = await counts();
    const res = await api.call("PUT", T("payments"), { token: editor, json: { prerequisites: [{ flag: "checkout" }] } });
    expect(res.status).toBe(422);
    expect(res.json.error.issues[0].path).toBe("prerequisites");
    expect(res.json.error.issues[0].message).toMatch(/(payments -> checkout -> payments|checkout -> payments -> checkout)$/);
    expect(await counts()).toEqual(before);
  });

  it("a stale expectedVersion is 409 with details.currentVersion; a reviewer is refused (403); nothing changes", async () => {
    const before = await counts();
    const stale = await api.call("PUT", T("checkout"), { token: editor, json: { rules: [], expectedVersion: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details.currentVersion).toBe(3);
    expect((await api.call("PUT", T("banner"), { token: reviewer, json: { rules: [] } })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("a segment still used by a rule cannot be deleted (409 naming the flags); once unused it is deleted with a tombstone", async () => {
    const before = await counts();
    const used = await api.call("DELETE", `${SEG}/beta`, { token: editor });
    expect(used.status).toBe(409);
    expect(used.json.error.details.usedBy).toEqual(["checkout@production"]);
    expect(await counts()).toEqual(before);
    expect((await api.call("PUT", T("checkout"), { token: editor, json: { rules: [], expectedVersion: 3 } })).status).toBe(200);
    await waitFor(async () => (await etcdJson("flags/production/shop/checkout"))?.version === 4, "rules removed");
    expect((await etcdJson("flags/production/shop/checkout")).targeting).toBeUndefined();
    const del = await api.call("DELETE", `${SEG}/beta?expectedVersion=1`, { token: editor });
    expect(del.status).toBe(200);
    await waitFor(async () => (await etcdJson("segment-tombstones/production/shop/beta"))?.version === 2, "segment tombstone");
    expect(await etcdJson("segments/production/shop/beta")).toBeNull();
    expect((await api.call("GET", `${SEG}/beta`, { token: reviewer })).status).toBe(404);
  });

  it("a new environment receives every live segment with its flags, so its SDKs can evaluate rules at once", async () => {
    expect((await api.call("POST", SEG, { token: editor, json: { key: "gamma", constraints: [] } })).status).toBe(201);
    expect((await api.call("POST", "/api/v1/environments", { token: admin, json: { key: "qa", name: "QA" } })).status).toBe(201);
    expect(await waitFor(() => etcdJson("segments/qa/shop/gamma"), "segment in the new environment")).toMatchObject({ key: "gamma", version: 1 });
    expect(await etcdJson("segments/qa/shop/beta")).toBeNull();
    expect(await waitFor(() => etcdJson("flags/qa/shop/checkout"), "flag in the new environment")).toMatchObject({ version: 1 });
  });
});
