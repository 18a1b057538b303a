import { count, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConsoleFixture, FIXTURE_PASSWORD } from "../../tests/support/console-fixtures";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { loginFailures } from "../db/schema";
import { authorizeCredentials, WRONG_CREDENTIALS } from "./auth-options";
import { SharedLoginRateLimiter } from "./shared-login-rate-limit";

/**
 * Guarantee: the sign-in limits hold across app replicas. Two limiter instances over one database
 * stand for two app processes: failures recorded by one count in the other. The table stores no
 * e-mail address or IP, and old rows are pruned.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
  await seedConsoleFixture(env);
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

const rows = async () => (await env.db.select({ n: count() }).from(loginFailures))[0]!.n;

describe("shared sign-in rate limit (MySQL)", () => {
  it("counts failures from every replica against one account, and refuses with when to retry", async () => {
    let now = 1_000_000;
    const a = new SharedLoginRateLimiter(env.db, { now: () => now });
    const b = new SharedLoginRateLimiter(env.db, { now: () => now });
    for (let i = 0; i < 3; i++) await a.recordFailure("shared@x.test", `10.0.0.${i}`);
    for (let i = 3; i < 5; i++) await b.recordFailure("Shared@X.test", `10.0.0.${i}`);
    for (const replica of [a, b]) {
      const v = await replica.check("shared@x.test", "10.9.9.9");
      expect(v).toMatchObject({ allowed: false, scope: "account" });
      if (!v.allowed) expect(v.message).toBe("Too many failed sign-in attempts for this account. Try again in 15 minutes.");
    }
    now += 15 * 60_000 + 1;
    expect((await a.check("shared@x.test", null)).allowed).toBe(true);
  });

  it("refuses an address that fails across many accounts, on every replica", async () => {
    const a = new SharedLoginRateLimiter(env.db, { maxFailuresPerAddress: 3 });
    const b = new SharedLoginRateLimiter(env.db, { maxFailuresPerAddress: 3 });
    await a.recordFailure("u1@x.test", "10.1.1.1");
    await b.recordFailure("u2@x.test", "10.1.1.1");
    await a.recordFailure("u3@x.test", "10.1.1.1");
    expect(await b.check("fresh@x.test", "10.1.1.1")).toMatchObject({ allowed: false, scope: "address" });
    expect((await b.check("fresh@x.test", "10.1.1.2")).allowed).toBe(true);
  });

  it("a success on one replica clears the account's failures for all", async () => {
    const a = new SharedLoginRateLimiter(env.db);
    const b = new SharedLoginRateLimiter(env.db);
    for (let i = 0; i < 4; i++) await a.recordFailure("clear@x.test", null);
    await b.recordSuccess("clear@x.test");
    for (let i = 0; i < 4; i++) await a.recordFailure("clear@x.test", null);
    expect((await b.check("clear@x.test", null)).allowed).toBe(true);
  });

  it("stores neither e-mail addresses nor IPs, and prunes failures older than the window", async () => {
    let now = Date.now() + 3_600_000; // after every row the earlier tests wrote
    const rl = new SharedLoginRateLimiter(env.db, { now: () => now });
    await rl.recordFailure("private@x.test", "198.51.100.23");
    const dump = JSON.stringify(await env.db.select().from(loginFailures));
    expect(dump).not.toContain("private");
    expect(dump).not.toContain("198.51.100.23");
    const before = await rows();
    now += 15 * 60_000 + 1;
    await rl.recordFailure("later@x.test", null);
    // Everything older than the window (all earlier tests' rows too, fewer than one prune batch) went.
    expect(await rows()).toBe(1);
    expect(before).toBeGreaterThan(1);
  });

  it("is what the credentials check uses by default: refusals survive a new limiter instance", async () => {
    await env.db.execute(sql`DELETE FROM login_failures`);
    const email = "editor@example.test";
    const headers = { "x-forwarded-for": "203.0.113.50" };
    for (let i = 0; i < 5; i++) {
      await expect(authorizeCredentials({ email, password: "wrong password 123" }, headers, { db: env.db })).rejects.toThrow(WRONG_CREDENTIALS);
    }
    // Even the right password is refused now, by a fresh limiter (another replica) included.
    await expect(authorizeCredentials({ email, password: FIXTURE_PASSWORD }, headers, { db: env.db })).rejects.toThrow(/Too many failed sign-in attempts for this account/);
  });
});
