import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiToken, CACHE_TTL_MS, clearApiTokenCache } from "../../auth/api-token-auth";
import { apiTokens, auditEvents } from "../../db/schema";
import { ServiceError } from "../../errors/service-error";
import { createTestEnv, userActor, type TestEnv } from "../../../tests/support/test-env";
import { createNamespace } from "../namespaces/namespace-verbs";
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
