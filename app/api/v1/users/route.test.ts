import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "@/tests/support/api-test-harness";
import { auditEvents, roleMemberships, users } from "@/lib/db/schema";

let api: ApiHarness;
let admin: string;
let alphaAdmin: string;
let viewer: string;
let targetId: number;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  for (const json of [{ key: "production", name: "Production" }, { key: "staging", name: "Staging" }]) {
    expect((await api.call("POST", "/api/v1/environments", { token: admin, json })).status).toBe(201);
  }
  for (const json of [{ key: "alpha", name: "Alpha" }, { key: "beta", name: "Beta" }]) {
    expect((await api.call("POST", "/api/v1/namespaces", { token: admin, json })).status).toBe(201);
  }
  alphaAdmin = await api.token({ role: "admin", namespaces: ["alpha"] });
  viewer = await api.token({ role: "viewer", namespaces: ["alpha"] });
  const made = await api.call("POST", "/api/v1/users", { token: admin, json: { email: "target@example.test", name: "Target" } });
  expect(made.status, made.text).toBe(201);
  targetId = made.json.id;
});
afterAll(() => api?.close());

/** Users, memberships and the counted tables: what a refused call must leave untouched. */
async function state() {
  return {
    counts: await api.counts(),
    users: await api.env.db.select().from(users).orderBy(users.id),
    memberships: await api.env.db.select().from(roleMemberships).orderBy(roleMemberships.id),
  };
}

const membershipsOf = (id: number) => api.env.db.select().from(roleMemberships).where(eq(roleMemberships.userId, id));

describe("users through the admin API", () => {
  it("a super-admin creates a user (audited, never a password hash in the response), lists it, and gets 409 for a duplicate", async () => {
    const res = await api.call("POST", "/api/v1/users", {
      token: admin,
      json: { email: " New.Person@Example.TEST ", name: "New Person", password: "a long enough password", reason: "onboarding" },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ email: "new.person@example.test", hasPassword: true, isSuperAdmin: false, disabled: false, memberships: [] });
    expect(res.text).not.toMatch(/\$2[aby]\$/);
    const audit = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "user.create"));
    expect(audit.map((a) => a.targetId)).toContain(res.json.id);

    const list = await api.call("GET", "/api/v1/users", { token: admin });
    expect(list.status).toBe(200);
    expect(list.json.users.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(["new.person@example.test", "target@example.test"]));
    const one = await api.call("GET", `/api/v1/users/${res.json.id}`, { token: admin });
    expect(one.json).toEqual(res.json);

    const dup = await api.call("POST", "/api/v1/users", { token: admin, json: { email: "new.person@example.test", name: "Again" } });
    expect(dup.status).toBe(409);
  });

  it("a super-admin grants and revokes roles, including the every-namespace role (?namespace=*)", async () => {
    const grant = await api.call("PUT", `/api/v1/users/${targetId}/roles`, {
      token: admin,
      json: { namespace: "alpha", role: "editor", environments: ["staging"] },
    });
    expect(grant.status, grant.text).toBe(200);
    expect(grant.json).toEqual({ namespace: "alpha", role: "editor", environments: ["staging"] });
    const everywhere = await api.call("PUT", `/api/v1/users/${targetId}/roles`, { token: admin, json: { namespace: null, role: "viewer" } });
    expect(everywhere.status, everywhere.text).toBe(200);
    const seen = await api.call("GET", `/api/v1/users/${targetId}`, { token: admin });
    expect(seen.json.memberships).toEqual(
      expect.arrayContaining([
        { namespace: "alpha", role: "editor", environments: ["staging"] },
        { namespace: null, role: "viewer", environments: null },
      ]),
    );

    const revokeAll = await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=*&reason=cleanup`, { token: admin });
    expect(revokeAll.status, revokeAll.text).toBe(200);
    expect(revokeAll.json).toEqual({ revoked: true });
    const rows = await membershipsOf(targetId);
    expect(rows.map((r) => r.namespaceId === null)).toEqual([false]);
    const again = await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=*`, { token: admin });
    expect(again.json).toEqual({ revoked: false });
    const [audit] = await api.env.db.select().from(auditEvents).where(eq(auditEvents.action, "role.revoke"));
    expect(audit).toMatchObject({ namespaceKey: null, reason: "cleanup" });
  });

  it("a super-admin disables a user and resets a password", async () => {
    const patched = await api.call("PATCH", `/api/v1/users/${targetId}`, { token: admin, json: { disabled: true, name: "Target (left)" } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ id: targetId, disabled: true, name: "Target (left)" });
    const pw = await api.call("PUT", `/api/v1/users/${targetId}/password`, { token: admin, json: { password: "another long password" } });
    expect(pw.status, pw.text).toBe(200);
    expect(pw.json).toEqual({ changed: true });
    const [row] = await api.env.db.select().from(users).where(eq(users.id, targetId));
    expect(row?.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(row?.disabledAt).not.toBeNull();
  });

  it("a namespace admin grants and revokes roles in its own namespace only", async () => {
    const ok = await api.call("PUT", `/api/v1/users/${targetId}/roles`, { token: alphaAdmin, json: { namespace: "alpha", role: "reviewer" } });
    expect(ok.status, ok.text).toBe(200);
    expect((await membershipsOf(targetId)).map((r) => r.role)).toEqual(["reviewer"]);
    // The list shows it users, but only memberships in namespaces it administers.
    const list = await api.call("GET", "/api/v1/users", { token: alphaAdmin });
    expect(list.status).toBe(200);
    for (const u of list.json.users) for (const m of u.memberships) expect(m.namespace).toBe("alpha");

    const before = await state();
    const refused = [
      await api.call("PUT", `/api/v1/users/${targetId}/roles`, { token: alphaAdmin, json: { namespace: "beta", role: "viewer" } }),
      await api.call("PUT", `/api/v1/users/${targetId}/roles`, { token: alphaAdmin, json: { namespace: null, role: "viewer" } }),
      await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=beta`, { token: alphaAdmin }),
      await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=*`, { token: alphaAdmin }),
      await api.call("POST", "/api/v1/users", { token: alphaAdmin, json: { email: "sneaky@example.test", name: "Sneaky" } }),
      await api.call("PATCH", `/api/v1/users/${targetId}`, { token: alphaAdmin, json: { isSuperAdmin: true } }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await state()).toEqual(before);

    const revoked = await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=alpha`, { token: alphaAdmin });
    expect(revoked.json).toEqual({ revoked: true });
    expect(await membershipsOf(targetId)).toEqual([]);
  });

  it("a viewer gets 403 for every user route and nothing changes", async () => {
    const before = await state();
    const calls = [
      await api.call("GET", "/api/v1/users", { token: viewer }),
      await api.call("GET", `/api/v1/users/${targetId}`, { token: viewer }),
      await api.call("POST", "/api/v1/users", { token: viewer, json: { email: "v@example.test", name: "V" } }),
      await api.call("PATCH", `/api/v1/users/${targetId}`, { token: viewer, json: { disabled: false } }),
      await api.call("PUT", `/api/v1/users/${targetId}/password`, { token: viewer, json: { password: "a long enough password" } }),
      await api.call("PUT", `/api/v1/users/${targetId}/roles`, { token: viewer, json: { namespace: "alpha", role: "admin" } }),
      await api.call("DELETE", `/api/v1/users/${targetId}/roles?namespace=alpha`, { token: viewer }),
    ];
    expect(calls.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect(await state()).toEqual(before);
    expect((await api.call("GET", "/api/v1/users")).status).toBe(401);
  });

  it("rejects bad input with 422 naming the field, and unknown users with 404, changing nothing", async () => {
    const before = await state();
    const issue = async (method: string, path: string, json?: unknown) => {
      const res = await api.call(method, path, { token: admin, json });
      return [res.status, res.json?.error?.issues?.[0]?.path];
    };
    expect(await issue("POST", "/api/v1/users", { email: "not an e-mail", name: "X" })).toEqual([422, "email"]);
    expect(await issue("POST", "/api/v1/users", { email: "short@example.test", name: "X", password: "short" })).toEqual([422, "password"]);
    expect(await issue("PUT", `/api/v1/users/${targetId}/roles`, { namespace: "alpha", role: "owner" })).toEqual([422, "role"]);
    expect(await issue("PUT", `/api/v1/users/${targetId}/roles`, { namespace: "alpha", role: "viewer", environments: ["staging"] })).toEqual([422, "environments"]);
    expect(await issue("PUT", `/api/v1/users/${targetId}/roles`, { role: "viewer" })).toEqual([422, "namespace"]);
    expect(await issue("PUT", `/api/v1/users/${targetId}/roles`, { namespace: "alpha", role: "editor", environments: ["nowhere"] })).toEqual([422, "environments"]);
    expect(await issue("DELETE", `/api/v1/users/${targetId}/roles`)).toEqual([422, "namespace"]);
    expect(await issue("DELETE", `/api/v1/users/${targetId}/roles?namespace=Alpha/..`)).toEqual([422, "namespace"]);
    expect(await issue("PATCH", "/api/v1/users/abc", { name: "X" })).toEqual([422, "id"]);
    expect(await issue("PATCH", `/api/v1/users/${targetId}`, { userId: 1 })).toEqual([422, "(body)"]);
    expect(await issue("PUT", "/api/v1/users/0/password", { password: "a long enough password" })).toEqual([422, "id"]);
    expect(await issue("PUT", "/api/v1/users/99999/roles", { namespace: "alpha", role: "viewer" })).toEqual([404, undefined]);
    expect(await issue("GET", "/api/v1/users/99999")).toEqual([404, undefined]);
    expect(await issue("PUT", `/api/v1/users/${targetId}/roles`, { namespace: "nope", role: "viewer" })).toEqual([404, undefined]);
    expect(await state()).toEqual(before);
  });
});
