import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { GET as sdkFlags } from "@/app/api/sdk/v1/flags/route";
import { waitFor } from "@/tests/support/test-env";

let api: ApiHarness;
let admin: string;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  for (const [path, json] of [
    ["/api/v1/environments", { key: "production", name: "Production" }],
    ["/api/v1/namespaces", { key: "checkout", name: "Checkout" }],
    ["/api/v1/namespaces", { key: "search", name: "Search" }],
    ["/api/v1/flags", { namespace: "checkout", key: "new-flow", type: "boolean", values: { production: true } }],
    ["/api/v1/flags", { namespace: "search", key: "ranker", type: "string", values: { production: "v2" } }],
  ] as const) {
    const res = await api.call("POST", path, { token: admin, json });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }
});
afterAll(() => api.close());

const snapshot = (key: string) => sdkFlags(new Request("http://mizuflow.test/api/sdk/v1/flags", { headers: { authorization: `Bearer ${key}` } }));

describe("SDK keys through the admin API", () => {
  it("creates a key shown once, scoped to its environment and namespaces, then revokes it", async () => {
    const created = await api.call("POST", "/api/v1/sdk-keys", {
      token: admin,
      json: { name: "checkout service", environment: "production", namespaces: ["checkout"] },
    });
    expect(created.status).toBe(201);
    const key: string = created.json.key;
    expect(key).toMatch(/^mf_sdk_/);
    const list = await api.call("GET", "/api/v1/sdk-keys", { token: admin });
    expect(list.json.sdkKeys).toHaveLength(1);
    expect(JSON.stringify(list.json)).not.toContain(key);

    const res = await waitFor(async () => {
      const r = await snapshot(key);
      const body = (await r.json()) as { flags: { namespace: string; key: string }[] };
      return r.status === 200 && body.flags.length > 0 ? body : null;
    }, "the key's snapshot");
    expect(res.flags.map((f) => `${f.namespace}/${f.key}`)).toEqual(["checkout/new-flow"]);

    const revoked = await api.call("DELETE", `/api/v1/sdk-keys/${created.json.sdkKey.id}?reason=rotated`, { token: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).not.toBeNull();
    await waitFor(async () => (await snapshot(key)).status === 403, "revoked key refused");
  });

  it("rejects bad input and unauthorised callers without creating a key", async () => {
    const viewer = await api.token({ role: "viewer", namespaces: ["checkout"] });
    const before = await api.call("GET", "/api/v1/sdk-keys?includeRevoked=true", { token: admin });
    const bad = await api.call("POST", "/api/v1/sdk-keys", { token: admin, json: { name: "x", environment: "Prod/../x", namespaces: null } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.issues[0].path).toBe("environment");
    const denied = await api.call("POST", "/api/v1/sdk-keys", { token: viewer, json: { name: "x", environment: "production", namespaces: ["checkout"] } });
    expect(denied.status).toBe(403);
    const after = await api.call("GET", "/api/v1/sdk-keys?includeRevoked=true", { token: admin });
    expect(after.json.sdkKeys).toHaveLength(before.json.sdkKeys.length);
  });
});
