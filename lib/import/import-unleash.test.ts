import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, segments } from "../db/schema";
import { startApiHarness, type ApiHarness } from "../../tests/support/api-test-harness";
import { waitFor } from "../../tests/support/test-env";

/**
 * Issue 14: POST /api/v1/import/unleash against real MariaDB and etcd. A dry run reports exactly
 * what the import would do and changes nothing; the import writes flags, rules and segments in one
 * transaction with one audit event and publishes them; a payload with one invalid part (lenient
 * import: malformed values are NOT invalid, they are kept and noted; a feature name that is not a
 * MizuFlow key, or a flag of another type, is) changes nothing at all.
 */
let api: ApiHarness;
let admin: string;
let nsAdmin: string;
let editor: string;

const URL_ = "/api/v1/import/unleash?environment=production";
const payload = {
  version: 2,
  features: [
    {
      name: "new-checkout",
      enabled: true,
      project: "default",
      strategies: [
        {
          name: "flexibleRollout",
          parameters: { rollout: "30", stickiness: "userId", groupId: "new-checkout" },
          constraints: [{ contextName: "appVersion", operator: "SEMVER_GT", value: "2.x" }],
          segments: [1],
        },
      ],
    },
    { name: "kill-switch", enabled: true, strategies: [] },
    { name: "dependent", enabled: true, strategies: [{ name: "default" }], dependencies: [{ feature: "new-checkout" }] },
  ],
  segments: [{ id: 1, name: "Beta Testers", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] }],
};

async function counts() {
  return { ...(await api.counts()), segments: (await api.env.db.select().from(segments)).length };
}
const etcdJson = async (key: string) => {
  const raw = await api.env.etcd.root.get(key).string();
  return raw === null ? null : JSON.parse(raw);
};

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  for (const key of ["production", "staging"]) await api.call("POST", "/api/v1/environments", { token: admin, json: { key, name: key } });
  await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "default", name: "Default" } });
  nsAdmin = await api.token({ role: "admin", namespaces: ["default"] });
  editor = await api.token({ role: "editor", namespaces: ["default"] });
  expect((await api.call("POST", "/api/v1/flags", { token: admin, json: { namespace: "default", key: "text", type: "string" } })).status).toBe(201);
});
afterAll(() => api.close());

describe("Unleash import", () => {
  it("an editor is refused (namespace admins only) and nothing changes", async () => {
    const before = await counts();
    expect((await api.call("POST", URL_, { token: editor, json: payload })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("a dry run returns the plan and notes and changes nothing (no row, audit event, outbox row or etcd key)", async () => {
    const before = await counts();
    const res = await api.call("POST", `${URL_}&dryRun=true`, { token: nsAdmin, json: payload });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dryRun: true,
      environment: "production",
      created: { flags: ["default/new-checkout", "default/kill-switch", "default/dependent"], segments: ["default/beta-testers"] },
      updated: { flags: [], segments: [] },
    });
    expect(res.json.notes).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: "malformed", path: "features[0].strategies[0].constraints[0].value" }),
      expect.objectContaining({ kind: "changed", path: "segments[0]" }),
    ]));
    expect(await counts()).toEqual(before);
    expect(await etcdJson("flags/production/default/new-checkout")).toBeNull();
  });

  it("a payload with one invalid part (a feature name that is not a key; a flag of another type) changes nothing", async () => {
    const before = await counts();
    const badName = await api.call("POST", URL_, { token: nsAdmin, json: { ...payload, features: [...payload.features, { name: "Bad Name", enabled: true }] } });
    expect(badName.status).toBe(422);
    expect(badName.json.error.issues).toEqual([expect.objectContaining({ path: "features.Bad Name" })]);
    const wrongType = await api.call("POST", URL_, { token: nsAdmin, json: { ...payload, features: [...payload.features, { name: "text", enabled: true }] } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.error.issues[0].message).toContain("exists as a string flag");
    expect(await counts()).toEqual(before);
  });

  it("imports flags, rules and segments in one transaction with one audit event, published to etcd; a re-import changes nothing", async () => {
    const res = await api.call("POST", URL_, { token: nsAdmin, json: payload });
    expect(res.status).toBe(200);
    expect(res.json.created.flags).toHaveLength(3);
    const audits = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "import.unleash"));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ environmentKey: "production", namespaceKey: "default" });
    const doc = await waitFor(() => etcdJson("flags/production/default/new-checkout"), "imported flag published");
    expect(doc).toMatchObject({ type: "boolean", value: false, version: 1 });
    expect(doc.targeting.rules[0]).toMatchObject({ segments: ["beta-testers"], gate: { percentage: 30, stickiness: "userId", groupId: "new-checkout" }, serve: { value: true } });
    expect(doc.targeting.rules[0].constraints[0]).toMatchObject({ operator: "SEMVER_GT", value: "2.x" });
    expect((await etcdJson("flags/production/default/dependent")).targeting.prerequisites).toEqual([{ flag: "new-checkout", enabled: true }]);
    expect(await waitFor(() => etcdJson("segments/production/default/beta-testers"), "segment published")).toMatchObject({ name: "Beta Testers", version: 1 });
    // Other environments get the flag switched off, without rules.
    expect(await waitFor(() => etcdJson("flags/staging/default/kill-switch"), "staging copy")).toMatchObject({ value: false });
    expect((await etcdJson("flags/staging/default/new-checkout")).targeting).toBeUndefined();

    const outboxBefore = (await api.counts()).outboxEvents;
    const again = await api.call("POST", URL_, { token: nsAdmin, json: payload });
    expect(again.json).toMatchObject({ created: { flags: [], segments: [] }, updated: { flags: [], segments: [] } });
    expect(again.json.unchanged.flags).toHaveLength(3);
    expect((await api.counts()).outboxEvents).toBe(outboxBefore);
  });
});
