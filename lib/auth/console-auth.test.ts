import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConsoleFixture, FIXTURE_PASSWORD, type ConsoleFixture } from "../../tests/support/console-fixtures";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { users } from "../db/schema";
import { setUserPassword, updateUser } from "../users/user-verbs";
import { authorizeCredentials, oidcConfig, WRONG_CREDENTIALS } from "./auth-options";
import { LoginRateLimiter } from "../../tests/support/memory-login-limiter";
import { hashPassword, verifyPassword } from "./password";
import { resolveActor } from "./resolve-actor";
import { actorFromCookies } from "./session";
import { passwordFingerprint } from "./session-actor";
import { decodeSessionToken, encodeSessionToken, SESSION_COOKIE } from "./session-token";

let env: TestEnv;
let fx: ConsoleFixture;

beforeAll(async () => {
  env = await createTestEnv();
  // getEnv() reads these once, on first use (session tokens need AUTH_SECRET).
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.ETCD_ENDPOINTS = env.etcdEndpoints.join(",");
  process.env.AUTH_SECRET = "test-secret-0123456789abcdef0123456789abcdef";
  fx = await seedConsoleFixture(env);
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

const emailOf = (role: string) => `${role.toLowerCase()}@example.test`;

async function tokenFor(userId: number, maxAge?: number): Promise<string> {
  const [u] = await env.db.select().from(users).where(eq(users.id, userId));
  return encodeSessionToken({ userId, pwf: passwordFingerprint(u!.passwordHash), email: u!.email }, maxAge);
}

describe("passwords", () => {
  it("are stored as bcrypt hashes that verify only the right password", async () => {
    const hash = await hashPassword("a long enough password", 4);
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(await verifyPassword("a long enough password", hash)).toBe(true);
    expect(await verifyPassword("a long enough passworD", hash)).toBe(false);
  });

  it("longer than bcrypt's 72 bytes never verify (no silent truncation)", async () => {
    const long = "x".repeat(72);
    const hash = await hashPassword(long, 4);
    expect(await verifyPassword(`${long}yyy`, hash)).toBe(false);
  });
});

describe("login rate limit", () => {
  it("refuses an account after 5 failures in the window, with a message saying when to retry", () => {
    let now = 0;
    const rl = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 5; i++) rl.recordFailure("a@x.test", `10.0.0.${i}`);
    const v = rl.check("A@x.test", "10.9.9.9");
    expect(v).toMatchObject({ allowed: false, scope: "account" });
    if (!v.allowed) expect(v.message).toBe("Too many failed sign-in attempts for this account. Try again in 15 minutes.");
    now = 15 * 60_000 + 1;
    expect(rl.check("a@x.test", null).allowed).toBe(true);
  });

  it("refuses an address that fails across many accounts", () => {
    const rl = new LoginRateLimiter({ maxFailuresPerAddress: 3 });
    for (let i = 0; i < 3; i++) rl.recordFailure(`u${i}@x.test`, "10.1.1.1");
    expect(rl.check("fresh@x.test", "10.1.1.1")).toMatchObject({ allowed: false, scope: "address" });
    expect(rl.check("fresh@x.test", "10.1.1.2").allowed).toBe(true);
  });

  it("a success clears the account's failures", () => {
    const rl = new LoginRateLimiter();
    for (let i = 0; i < 4; i++) rl.recordFailure("b@x.test", null);
    rl.recordSuccess("b@x.test");
    for (let i = 0; i < 4; i++) rl.recordFailure("b@x.test", null);
    expect(rl.check("b@x.test", null).allowed).toBe(true);
  });

  it("keeps memory bounded", () => {
    const rl = new LoginRateLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) rl.recordFailure(`flood${i}@x.test`, null);
    expect((rl as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(100);
  });
});

describe("credentials sign-in", () => {
  const headers = { "x-forwarded-for": "203.0.113.7" };

  it("accepts the right password and returns the session claims", async () => {
    const user = await authorizeCredentials({ email: " Editor@Example.test ", password: FIXTURE_PASSWORD }, headers, { db: env.db, limiter: new LoginRateLimiter() });
    expect(user).toMatchObject({ id: String(fx.userIds.editor), email: emailOf("editor") });
    expect(user.pwf).toHaveLength(16);
  });

  it("gives the same answer for a wrong password and an unknown account", async () => {
    const deps = { db: env.db, limiter: new LoginRateLimiter() };
    await expect(authorizeCredentials({ email: emailOf("editor"), password: "wrong password!" }, headers, deps)).rejects.toThrow(WRONG_CREDENTIALS);
    await expect(authorizeCredentials({ email: "nobody-here@example.test", password: "wrong password!" }, headers, deps)).rejects.toThrow(WRONG_CREDENTIALS);
  });

  it("after 5 wrong passwords even the right one is refused with the rate-limit message", async () => {
    const deps = { db: env.db, limiter: new LoginRateLimiter() };
    for (let i = 0; i < 5; i++) {
      await expect(authorizeCredentials({ email: emailOf("viewer"), password: `guess ${i}` }, headers, deps)).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(authorizeCredentials({ email: emailOf("viewer"), password: FIXTURE_PASSWORD }, headers, deps)).rejects.toThrow(/Too many failed sign-in attempts for this account/);
  });

  it("refuses a disabled account", async () => {
    await updateUser({ ctx: env.ctx(), input: { userId: fx.userIds.nobody, disabled: true } });
    await expect(authorizeCredentials({ email: emailOf("nobody"), password: FIXTURE_PASSWORD }, headers, { db: env.db, limiter: new LoginRateLimiter() })).rejects.toThrow(/disabled/);
    await updateUser({ ctx: env.ctx(), input: { userId: fx.userIds.nobody, disabled: false } });
  });
});

describe("sessions", () => {
  it("a session cookie resolves to the user's actor with the grants from role_memberships", async () => {
    const actor = await actorFromCookies(env.db, new Map([[SESSION_COOKIE, await tokenFor(fx.userIds.devEditor)]]));
    expect(actor).toMatchObject({ type: "user", id: String(fx.userIds.devEditor), name: emailOf("deveditor"), isSuperAdmin: false });
    expect(actor?.grants).toEqual([{ namespaceKey: "alpha", role: "editor", environmentKeys: ["dev"] }]);
  });

  it("expired, forged and foreign tokens are no session", async () => {
    expect(await decodeSessionToken(await tokenFor(fx.userIds.editor, -120))).toBeNull();
    const good = await tokenFor(fx.userIds.editor);
    expect(await decodeSessionToken(good.slice(0, -4) + "AAAA")).toBeNull();
    expect(await decodeSessionToken("not-a-token")).toBeNull();
  });

  it("changing the password ends sessions issued before", async () => {
    const old = await tokenFor(fx.userIds.reviewer);
    await setUserPassword({ ctx: env.ctx(), input: { userId: fx.userIds.reviewer, password: "a brand new password" } });
    expect(await actorFromCookies(env.db, new Map([[SESSION_COOKIE, old]]))).toBeNull();
    expect(await actorFromCookies(env.db, new Map([[SESSION_COOKIE, await tokenFor(fx.userIds.reviewer)]]))).not.toBeNull();
  });

  it("disabling a user ends their sessions at once", async () => {
    const token = await tokenFor(fx.userIds.outsider);
    await updateUser({ ctx: env.ctx(), input: { userId: fx.userIds.outsider, disabled: true } });
    expect(await actorFromCookies(env.db, new Map([[SESSION_COOKIE, token]]))).toBeNull();
  });

  it("joins next-auth's chunked cookies", async () => {
    const token = await tokenFor(fx.userIds.viewer);
    const cookies = new Map([[`${SESSION_COOKIE}.1`, token.slice(100)], [`${SESSION_COOKIE}.0`, token.slice(0, 100)]]);
    expect((await actorFromCookies(env.db, cookies))?.id).toBe(String(fx.userIds.viewer));
  });

  it("the admin API accepts the console session through the registered resolver", async () => {
    const req = new Request("http://localhost/api/v1/flags", { headers: { cookie: `other=1; ${SESSION_COOKIE}=${await tokenFor(fx.userIds.super)}` } });
    const resolved = await resolveActor(req, { db: env.db });
    expect(resolved).toMatchObject({ via: "session", usesCookies: true, actor: { isSuperAdmin: true } });
  });
});

describe("OIDC switch", () => {
  const keys = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_DISPLAY_NAME"] as const;
  const withEnv = (vars: Partial<Record<(typeof keys)[number], string>>, fn: () => void) => {
    const saved = keys.map((k) => [k, process.env[k]] as const);
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, vars);
    try {
      fn();
    } finally {
      for (const [k, v] of saved) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  };

  it("is off without OIDC variables, on with all three, and refuses a partial setup with a message", () => {
    withEnv({}, () => expect(oidcConfig()).toBeNull());
    withEnv({ OIDC_ISSUER: "https://id.example.test", OIDC_CLIENT_ID: "mizuflow", OIDC_CLIENT_SECRET: "s" }, () =>
      expect(oidcConfig()).toMatchObject({ OIDC_ISSUER: "https://id.example.test", OIDC_DISPLAY_NAME: "Single sign-on" }),
    );
    withEnv({ OIDC_ISSUER: "https://id.example.test" }, () => expect(() => oidcConfig()).toThrow(/OIDC_CLIENT_ID/));
  });
});
