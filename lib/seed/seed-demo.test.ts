import bcrypt from "bcryptjs";
import { and, count, eq, gt } from "drizzle-orm";
import type { MySqlTable } from "drizzle-orm/mysql-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiToken } from "../auth/api-token-auth";
import { apiTokens, auditEvents, environments, flags, flagValues, namespaces, outboxEvents, sdkKeys, users } from "../db/schema";
import { listFlags } from "../flags/list-flags";
import { verifySdkKey } from "../sdk-keys/verify-sdk-key";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { DEMO_FLAGS } from "./demo-data";
import { DEMO_TOKEN_EXPIRES_IN_DAYS, DEMO_TOKEN_NAME, seedDemo } from "./seed-demo";

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.cleanup();
});

async function counts() {
  const n = async (t: MySqlTable) => (await env.db.select({ n: count() }).from(t))[0]!.n;
  return {
    environments: await n(environments),
    namespaces: await n(namespaces),
    flags: await n(flags),
    flagValues: await n(flagValues),
    users: await n(users),
    apiTokens: await n(apiTokens),
    sdkKeys: await n(sdkKeys),
    auditEvents: await n(auditEvents),
    outboxEvents: await n(outboxEvents),
  };
}

describe("seedDemo", () => {
  it("creates the demo data through the audited verbs, with a super-admin and a working API token", async () => {
    const result = await seedDemo({ db: env.db, adminEmail: "Admin@Example.com" });
    expect(result.adminEmail).toBe("admin@example.com");
    expect(result.adminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(result.apiToken).toMatch(/^mf_admin_/);
    expect(result.sdkKey).toMatch(/^mf_sdk_/);
    expect(result.created).toMatchObject({ environments: ["development", "staging", "production"], namespaces: ["checkout", "search"], adminUser: true });
    expect(result.created.flags).toHaveLength(DEMO_FLAGS.length);

    const [user] = await env.db.select().from(users).where(eq(users.email, "admin@example.com"));
    expect(user!.isSuperAdmin).toBe(true);
    expect(user!.passwordHash).toMatch(/^\$2[aby]\$12\$/);
    expect(await bcrypt.compare(result.adminPassword!, user!.passwordHash!)).toBe(true);
    await expect(authenticateApiToken(env.db, result.apiToken!)).resolves.toMatchObject({ isSuperAdmin: true });
    const sdk = await verifySdkKey(env.db, result.sdkKey!);
    expect(sdk).toMatchObject({ status: "ok", principal: { environment: "production", namespaces: null } });

    const { flags: seeded } = await listFlags({ ctx: env.ctx(), input: { limit: 100 } });
    expect(new Set(seeded.map((f) => f.type))).toEqual(new Set(["boolean", "string", "number", "json"]));
    const flow = seeded.find((f) => f.key === "new-checkout-flow")!;
    expect(flow.values.production!.value).toBe(false);
    expect(flow.values.development!.value).toBe(true);

    const c = await counts();
    expect(c.flagValues).toBe(DEMO_FLAGS.length * 3);
    expect(c.outboxEvents).toBe(DEMO_FLAGS.length * 3); // one pending publish per (flag, environment)
    const audit = await env.db.select().from(auditEvents);
    expect(audit.every((a) => a.actorName === "system:seed")).toBe(true);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["environment.create", "namespace.create", "flag.create", "user.create", "api_token.create", "sdk_key.create"]));
  });

  it("is idempotent: a second run changes nothing and reveals no secrets", async () => {
    const before = await counts();
    const again = await seedDemo({ db: env.db, adminEmail: "admin@example.com", adminPassword: "another-password-123" });
    expect(again.adminPassword).toBeUndefined();
    expect(again.apiToken).toBeUndefined();
    expect(again.sdkKey).toBeUndefined();
    expect(again.created).toEqual({ environments: [], namespaces: [], flags: [], adminUser: false });
    expect(again.warnings).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  // Issue 12, item 8: the seed printed a super-admin token that never expired.
  it("gives the super-admin demo token an expiry, reports it, and makes a new token once it has expired", async () => {
    const fresh = await createTestEnv();
    try {
      const started = Date.now();
      const first = await seedDemo({ db: fresh.db, adminEmail: "admin@example.com" });
      const expiresAt = Date.parse(first.apiTokenExpiresAt!);
      const days = (expiresAt - started) / 86_400_000;
      expect(days).toBeGreaterThan(DEMO_TOKEN_EXPIRES_IN_DAYS - 0.01);
      expect(days).toBeLessThan(DEMO_TOKEN_EXPIRES_IN_DAYS + 0.01);
      const [row] = await fresh.db.select().from(apiTokens).where(eq(apiTokens.name, DEMO_TOKEN_NAME));
      expect(row!.expiresAt!.getTime()).toBe(expiresAt);
      await expect(authenticateApiToken(fresh.db, first.apiToken!, expiresAt - 1)).resolves.toMatchObject({ isSuperAdmin: true });
      await expect(authenticateApiToken(fresh.db, first.apiToken!, expiresAt)).rejects.toMatchObject({ code: "unauthenticated" });

      // Expired (moved into the past here): the next run makes a new token instead of keeping none usable.
      await fresh.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(apiTokens.id, row!.id));
      const second = await seedDemo({ db: fresh.db, adminEmail: "admin@example.com" });
      expect(second.apiToken).toMatch(/^mf_admin_/);
      expect(second.apiToken).not.toBe(first.apiToken);
      await expect(authenticateApiToken(fresh.db, second.apiToken!)).resolves.toMatchObject({ isSuperAdmin: true });

      // A demo token from an older seed, without an expiry, is named as something to revoke.
      await fresh.db.update(apiTokens).set({ expiresAt: null }).where(and(eq(apiTokens.name, DEMO_TOKEN_NAME), gt(apiTokens.expiresAt, new Date())));
      const third = await seedDemo({ db: fresh.db, adminEmail: "admin@example.com" });
      expect(third.apiToken).toBeUndefined();
      expect(third.warnings).toEqual([expect.stringMatching(/never expires: revoke it/)]);
    } finally {
      await fresh.cleanup();
    }
  });
});
