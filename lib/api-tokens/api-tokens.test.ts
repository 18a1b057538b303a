import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiToken, CACHE_TTL_MS, clearApiTokenCache, MAX_TOKEN_CHAIN } from "../auth/api-token-auth";
import { apiTokens, auditEvents } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { loadUserActor } from "../auth/session-actor";
import { createEnvironment } from "../environments/environment-verbs";
import { createNamespace } from "../namespaces/namespace-verbs";
import { grantRole } from "../users/membership-verbs";
import { createUser, updateUser } from "../users/user-verbs";
import { createApiToken } from "./create-api-token";
import { listApiTokens } from "./list-api-tokens";
import { revokeApiToken } from "./revoke-api-token";
import { hashApiToken } from "./token-secret";

let env: TestEnv;
const checkoutAdmin = userActor("ca", [{ namespaceKey: "checkout", role: "admin", environmentKeys: null }]);
const checkoutEditor = userActor("ce", [{ namespaceKey: "checkout", role: "editor", environmentKeys: null }]);

beforeAll(async () => {
  env = await createTestEnv();
  for (const key of ["checkout", "search"]) await createNamespace({ ctx: env.ctx(), input: { key, name: key } });
});

afterAll(async () => {
  await env?.cleanup();
});

const code = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ServiceError ? e.code : String(e)));

describe("createApiToken", () => {
  it("returns the secret once in the documented format and stores only its hash and a prefix", async () => {
    const made = await createApiToken({ ctx: env.ctx(), input: { name: "ci", role: "editor", namespaces: ["checkout"] } });
    expect(made.token).toMatch(/^mf_admin_[A-Za-z0-9_-]{43}$/);
    const [row] = await env.db.select().from(apiTokens).where(eq(apiTokens.id, made.apiToken.id));
    expect(row!.tokenHash).toBe(hashApiToken(made.token));
    expect(row!.prefix).toBe(made.token.slice(0, 15));
    expect(JSON.stringify(row)).not.toContain(made.token);
    const [audit] = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "api_token.create"));
    expect(JSON.stringify(audit)).not.toContain(made.token);
    const actor = await authenticateApiToken(env.db, made.token);
    expect(actor).toMatchObject({ type: "api_token", id: String(made.apiToken.id), isSuperAdmin: false, grants: [{ namespaceKey: "checkout", role: "editor", environmentKeys: null }] });
  });

  it("never mints more power than the creator has, and writes nothing when refused", async () => {
    const before = (await env.db.select().from(apiTokens)).length;
    const refused = [
      { role: "viewer", namespaces: ["search"] }, // admin of checkout only
      { role: "viewer", namespaces: ["checkout", "search"] },
      { role: "viewer", namespaces: null }, // every namespace
      { role: "admin", namespaces: null, superAdmin: true },
    ];
    for (const input of refused) {
      expect(await code(createApiToken({ ctx: env.ctx(checkoutAdmin), input: { name: "x", ...input } }))).toBe("forbidden");
    }
    expect(await code(createApiToken({ ctx: env.ctx(checkoutEditor), input: { name: "x", role: "viewer", namespaces: ["checkout"] } }))).toBe("forbidden");
    expect((await env.db.select().from(apiTokens)).length).toBe(before);
    expect(await code(createApiToken({ ctx: env.ctx(checkoutAdmin), input: { name: "ok", role: "admin", namespaces: ["checkout"] } }))).toBe("ok");
  });

  it("tokens created by a namespace admin act only inside that namespace", async () => {
    const { token } = await createApiToken({ ctx: env.ctx(checkoutAdmin), input: { name: "scoped", role: "admin", namespaces: ["checkout"] } });
    const actor = await authenticateApiToken(env.db, token);
    // The token cannot escalate either: it can mint checkout tokens, not search ones.
    expect(await code(createApiToken({ ctx: env.ctx(actor), input: { name: "y", role: "viewer", namespaces: ["search"] } }))).toBe("forbidden");
    expect(await code(createApiToken({ ctx: env.ctx(actor), input: { name: "y", role: "viewer", namespaces: ["checkout"] } }))).toBe("ok");
  });
});

describe("token verification", () => {
  it("rejects expired tokens exactly at expiry", async () => {
    const made = await createApiToken({ ctx: env.ctx(), input: { name: "short", role: "viewer", namespaces: null, expiresInDays: 1 } });
    const expiresAt = Date.parse(made.apiToken.expiresAt!);
    await expect(authenticateApiToken(env.db, made.token, expiresAt - 1)).resolves.toMatchObject({ type: "api_token" });
    await expect(authenticateApiToken(env.db, made.token, expiresAt)).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("notices a revocation made by another process within the cache window", async () => {
    const made = await createApiToken({ ctx: env.ctx(), input: { name: "cached", role: "viewer", namespaces: null } });
    const t0 = Date.now();
    await authenticateApiToken(env.db, made.token, t0); // cached now
    // Another process revokes it (straight in the database: this process's cache is not told).
    await env.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, made.apiToken.id));
    await expect(authenticateApiToken(env.db, made.token, t0 + 10)).resolves.toBeTruthy(); // still cached
    await expect(authenticateApiToken(env.db, made.token, t0 + CACHE_TTL_MS)).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("records last use at most once a minute", async () => {
    clearApiTokenCache();
    const made = await createApiToken({ ctx: env.ctx(), input: { name: "touch", role: "viewer", namespaces: null } });
    const lastUsed = async () => (await env.db.select().from(apiTokens).where(eq(apiTokens.id, made.apiToken.id)))[0]!.lastUsedAt;
    const t0 = Date.now();
    await authenticateApiToken(env.db, made.token, t0);
    await expect.poll(lastUsed).not.toBeNull();
    const first = (await lastUsed())!.getTime();
    await authenticateApiToken(env.db, made.token, t0 + 30_000);
    await new Promise((r) => setTimeout(r, 100));
    expect((await lastUsed())!.getTime()).toBe(first);
    await authenticateApiToken(env.db, made.token, t0 + 61_000);
    await expect.poll(async () => (await lastUsed())!.getTime()).toBe(first + 61_000);
  });
});

describe("revokeApiToken and listApiTokens", () => {
  it("only super-admins or admins of all the token's namespaces see and revoke it; revocation is audited once", async () => {
    const wide = await createApiToken({ ctx: env.ctx(), input: { name: "wide", role: "viewer", namespaces: ["checkout", "search"] } });
    const narrow = await createApiToken({ ctx: env.ctx(), input: { name: "narrow", role: "viewer", namespaces: ["checkout"] } });
    const visible = (await listApiTokens({ ctx: env.ctx(checkoutAdmin) })).map((t) => t.name);
    expect(visible).toContain("narrow");
    expect(visible).not.toContain("wide");
    expect(await listApiTokens({ ctx: env.ctx(checkoutEditor) })).toEqual([]);
    expect(await code(revokeApiToken({ ctx: env.ctx(checkoutAdmin), input: { id: wide.apiToken.id } }))).toBe("forbidden");
    expect(await code(revokeApiToken({ ctx: env.ctx(checkoutAdmin), input: { id: 999_999 } }))).toBe("not_found");
    const revoked = await revokeApiToken({ ctx: env.ctx(checkoutAdmin), input: { id: narrow.apiToken.id, reason: "rotated" } });
    expect(revoked.revokedAt).not.toBeNull();
    await revokeApiToken({ ctx: env.ctx(checkoutAdmin), input: { id: narrow.apiToken.id } }); // idempotent
    const audits = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "api_token.revoke"));
    expect(audits.filter((a) => a.targetId === narrow.apiToken.id)).toHaveLength(1);
    await expect(authenticateApiToken(env.db, narrow.token)).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(authenticateApiToken(env.db, wide.token)).resolves.toBeTruthy();
  });
});

/**
 * Issue 12 item 4: a token is a delegation of its creator's rights, not a copy. It acts with at most
 * what its creator may do now, stops when the creator is disabled, and cannot mint a token that
 * outlives it or reaches further than it does.
 */
describe("a token acts with at most its creator's current rights", () => {
  const grant = (userId: number, role: "admin" | "editor" | "viewer", environments?: string[]) =>
    grantRole({ ctx: env.ctx(), input: { userId, namespace: "checkout", role, ...(environments ? { environments } : {}) } });
  async function realUser(email: string): Promise<{ id: number; actor: () => Promise<Actor> }> {
    const u = await createUser({ ctx: env.ctx(), input: { email, name: email } });
    await grant(u.id, "admin");
    return { id: u.id, actor: async () => (await loadUserActor(env.db, u.id))! };
  }
  const roleOf = (a: Actor) => a.grants.map((g) => `${g.namespaceKey ?? "*"}:${g.role}${g.environmentKeys ? `[${g.environmentKeys.join(",")}]` : ""}`);

  beforeAll(async () => {
    for (const key of ["staging", "production"]) await createEnvironment({ ctx: env.ctx(), input: { key, name: key } });
  });

  it("narrows to the creator's lowered role at once and is refused while the creator is disabled", async () => {
    const owner = await realUser("owner@example.test");
    const { token } = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "deploy", role: "admin", namespaces: ["checkout"] } });
    expect(roleOf(await authenticateApiToken(env.db, token))).toEqual(["checkout:admin"]);
    await grant(owner.id, "viewer");
    const demoted = await authenticateApiToken(env.db, token);
    expect(roleOf(demoted)).toEqual(["checkout:viewer"]);
    expect(can(demoted, "flag:write", { namespaceKey: "checkout" })).toBe(false);
    await updateUser({ ctx: env.ctx(), input: { userId: owner.id, disabled: true } });
    await expect(authenticateApiToken(env.db, token)).rejects.toMatchObject({ code: "unauthenticated" });
    await updateUser({ ctx: env.ctx(), input: { userId: owner.id, disabled: false } });
    await expect(authenticateApiToken(env.db, token)).resolves.toMatchObject({ type: "api_token" });
  });

  it("carries an editor creator's environment limit, and a super-admin token of a demoted super-admin is not super-admin", async () => {
    const owner = await realUser("limited@example.test");
    const { token } = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "ci", role: "admin", namespaces: ["checkout"] } });
    await grant(owner.id, "editor", ["staging"]);
    const actor = await authenticateApiToken(env.db, token);
    expect(can(actor, "flag:write", { namespaceKey: "checkout", environmentKey: "staging" })).toBe(true);
    expect(can(actor, "flag:write", { namespaceKey: "checkout", environmentKey: "production" })).toBe(false);
    const boss = await realUser("boss@example.test");
    await updateUser({ ctx: env.ctx(), input: { userId: boss.id, isSuperAdmin: true } });
    const su = await createApiToken({ ctx: env.ctx(await boss.actor()), input: { name: "su", role: "admin", namespaces: null, superAdmin: true } });
    expect((await authenticateApiToken(env.db, su.token)).isSuperAdmin).toBe(true);
    await updateUser({ ctx: env.ctx(), input: { userId: boss.id, isSuperAdmin: false } });
    expect(await authenticateApiToken(env.db, su.token)).toMatchObject({ isSuperAdmin: false, grants: [{ namespaceKey: "checkout", role: "admin" }] });
  });

  it("a token cannot mint a token that outlives it or reaches further, and what it mints ends with it", async () => {
    const owner = await realUser("minter@example.test");
    const parent = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "p", role: "admin", namespaces: ["checkout"], expiresInDays: 30 } });
    const asParent = env.ctx(await authenticateApiToken(env.db, parent.token));
    const before = (await env.db.select().from(apiTokens)).length;
    expect(await code(createApiToken({ ctx: asParent, input: { name: "forever", role: "viewer", namespaces: ["checkout"] } }))).toBe("validation_failed");
    expect(await code(createApiToken({ ctx: asParent, input: { name: "longer", role: "viewer", namespaces: ["checkout"], expiresInDays: 30 } }))).toBe("validation_failed");
    expect(await code(createApiToken({ ctx: asParent, input: { name: "wider", role: "viewer", namespaces: ["checkout", "search"], expiresInDays: 1 } }))).toBe("forbidden");
    expect(await code(createApiToken({ ctx: asParent, input: { name: "su", role: "admin", namespaces: null, superAdmin: true, expiresInDays: 1 } }))).toBe("forbidden");
    expect((await env.db.select().from(apiTokens)).length).toBe(before);
    const child = await createApiToken({ ctx: asParent, input: { name: "child", role: "editor", namespaces: ["checkout"], expiresInDays: 29 } });
    const [row] = await env.db.select().from(apiTokens).where(eq(apiTokens.id, child.apiToken.id));
    expect(row).toMatchObject({ createdByTokenId: parent.apiToken.id, createdByUserId: null });
    // The child follows its chain: the root user's demotion, then the parent's revocation.
    await grant(owner.id, "viewer");
    expect(roleOf(await authenticateApiToken(env.db, child.token))).toEqual(["checkout:viewer"]);
    await revokeApiToken({ ctx: env.ctx(), input: { id: parent.apiToken.id } });
    await expect(authenticateApiToken(env.db, child.token)).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("tokens mint tokens at most MAX_TOKEN_CHAIN levels deep, and the deepest still acts within the root user's rights", async () => {
    const owner = await realUser("chain@example.test");
    let made = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "t0", role: "admin", namespaces: ["checkout"] } });
    for (let level = 1; level <= MAX_TOKEN_CHAIN; level++) {
      const ctx = env.ctx(await authenticateApiToken(env.db, made.token));
      made = await createApiToken({ ctx, input: { name: `t${level}`, role: "admin", namespaces: ["checkout"], expiresInDays: 3650 - level } });
    }
    const deepest = await authenticateApiToken(env.db, made.token);
    expect(roleOf(deepest)).toEqual(["checkout:admin"]);
    expect(await code(createApiToken({ ctx: env.ctx(deepest), input: { name: "too-deep", role: "viewer", namespaces: ["checkout"], expiresInDays: 1 } }))).toBe("forbidden");
    await grant(owner.id, "viewer");
    expect(roleOf(await authenticateApiToken(env.db, made.token))).toEqual(["checkout:viewer"]);
  });

  it("a 1-day token cannot mint any token (the issue's example), and a token whose root expires sooner is refused at that time", async () => {
    const owner = await realUser("short@example.test");
    const day = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "day", role: "admin", namespaces: ["checkout"], expiresInDays: 1 } });
    const asDay = env.ctx(await authenticateApiToken(env.db, day.token));
    for (const expiresInDays of [undefined, 1, 3650]) {
      expect(await code(createApiToken({ ctx: asDay, input: { name: "x", role: "viewer", namespaces: ["checkout"], ...(expiresInDays ? { expiresInDays } : {}) } }))).toBe("validation_failed");
    }
    // A chain made before this rule (or by hand): the child's own expiry is later than its parent's.
    const week = await createApiToken({ ctx: env.ctx(await owner.actor()), input: { name: "week", role: "admin", namespaces: ["checkout"], expiresInDays: 7 } });
    const child = await createApiToken({ ctx: env.ctx(await authenticateApiToken(env.db, week.token)), input: { name: "c", role: "viewer", namespaces: ["checkout"], expiresInDays: 6 } });
    await env.db.update(apiTokens).set({ expiresAt: null }).where(eq(apiTokens.id, child.apiToken.id));
    clearApiTokenCache();
    const weekEnds = Date.parse(week.apiToken.expiresAt!);
    await expect(authenticateApiToken(env.db, child.token, weekEnds - 1)).resolves.toBeTruthy();
    await expect(authenticateApiToken(env.db, child.token, weekEnds)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});
