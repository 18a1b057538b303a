import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConsoleFixture, snapshotDb, type ConsoleFixture } from "../../tests/support/console-fixtures";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { auditEvents, roleMemberships, users } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { grantRole, revokeRole } from "./membership-verbs";
import { createUser, listUsers, setUserPassword, updateUser } from "./user-verbs";

let env: TestEnv;
let fx: ConsoleFixture;

beforeAll(async () => {
  env = await createTestEnv();
  fx = await seedConsoleFixture(env);
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

const code = async (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ServiceError ? e.code : String(e)));

describe("users", () => {
  it("creates a user with a lower-cased e-mail and a bcrypt hash that never reaches the audit log", async () => {
    const u = await createUser({ ctx: env.ctx(), input: { email: " New.Person@Example.TEST ", name: "New", password: "a long enough password" } });
    expect(u).toMatchObject({ email: "new.person@example.test", hasPassword: true, isSuperAdmin: false, disabled: false });
    const [row] = await env.db.select().from(users).where(eq(users.id, u.id));
    expect(row?.passwordHash).toMatch(/^\$2[aby]\$/);
    const audit = await env.db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.create"), eq(auditEvents.targetId, u.id)));
    expect(JSON.stringify(audit)).not.toContain(row!.passwordHash!);
    await expect(code(createUser({ ctx: env.ctx(), input: { email: "new.person@example.test", name: "Dup" } }))).resolves.toBe("conflict");
  });

  it("refuses short passwords", async () => {
    await expect(code(createUser({ ctx: env.ctx(), input: { email: "short@example.test", name: "S", password: "short" } }))).resolves.toBe("validation_failed");
  });

  it("administrators cannot lock themselves out", async () => {
    const ctx = env.ctx(await fx.actor("super"));
    const before = await snapshotDb(env.db);
    await expect(code(updateUser({ ctx, input: { userId: fx.userIds.super, isSuperAdmin: false } }))).resolves.toBe("bad_request");
    await expect(code(updateUser({ ctx, input: { userId: fx.userIds.super, disabled: true } }))).resolves.toBe("bad_request");
    expect(await snapshotDb(env.db)).toBe(before);
  });

  it("users change their own password only with the current one", async () => {
    const ctx = env.ctx(await fx.actor("viewer"));
    const input = { userId: fx.userIds.viewer, password: "my new long password" };
    await expect(code(setUserPassword({ ctx, input: { ...input, currentPassword: "wrong" } }))).resolves.toBe("validation_failed");
    await expect(code(setUserPassword({ ctx, input: { ...input, currentPassword: "correct horse battery staple" } }))).resolves.toBe("ok");
  });

  it("namespace admins list users but only see memberships in their namespaces; others may not list", async () => {
    const list = await listUsers({ ctx: env.ctx(await fx.actor("nsAdmin")) });
    const outsider = list.find((u) => u.id === fx.userIds.outsider);
    expect(outsider?.memberships).toEqual([]);
    expect(list.find((u) => u.id === fx.userIds.editor)?.memberships).toEqual([{ namespace: "alpha", role: "editor", environments: null }]);
    await expect(code(listUsers({ ctx: env.ctx(await fx.actor("editor")) }))).resolves.toBe("forbidden");
  });
});

describe("role memberships", () => {
  it("granting again updates the one membership instead of adding another", async () => {
    const ctx = env.ctx(await fx.actor("nsAdmin"));
    await grantRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha", role: "viewer" } });
    await grantRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha", role: "editor", environments: ["dev"] } });
    const rows = await env.db.select().from(roleMemberships).where(eq(roleMemberships.userId, fx.userIds.nobody));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: "editor", environmentKeys: ["dev"] });
    expect((await fx.actor("nobody")).grants).toEqual([{ namespaceKey: "alpha", role: "editor", environmentKeys: ["dev"] }]);
  });

  it("keeps one every-namespace membership even under concurrent grants (NULL is not unique in MySQL)", async () => {
    const ctx = env.ctx();
    await Promise.all([0, 1, 2, 3].map((i) => grantRole({ ctx, input: { userId: fx.userIds.outsider, namespace: null, role: i % 2 ? "viewer" : "reviewer" } })));
    const rows = await env.db.select().from(roleMemberships).where(and(eq(roleMemberships.userId, fx.userIds.outsider), isNull(roleMemberships.namespaceId)));
    expect(rows).toHaveLength(1);
  });

  it("limits to environments only for editors, and only to existing ones", async () => {
    const ctx = env.ctx();
    await expect(code(grantRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha", role: "viewer", environments: ["dev"] } }))).resolves.toBe("validation_failed");
    await expect(code(grantRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha", role: "editor", environments: ["nowhere"] } }))).resolves.toBe("validation_failed");
  });

  it("revoking removes the membership and is audited", async () => {
    const ctx = env.ctx(await fx.actor("nsAdmin"));
    expect(await revokeRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha" } })).toEqual({ revoked: true });
    expect(await revokeRole({ ctx, input: { userId: fx.userIds.nobody, namespace: "alpha" } })).toEqual({ revoked: false });
    expect((await fx.actor("nobody")).grants).toEqual([]);
    const [last] = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "role.revoke"));
    expect(last).toMatchObject({ namespaceKey: "alpha", actorName: "nsadmin@example.test", after: null });
  });
});
