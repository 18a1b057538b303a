import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { actorFromCookies } from "../auth/session";
import { passwordFingerprint } from "../auth/session-actor";
import { encodeSessionToken, SESSION_COOKIE } from "../auth/session-token";
import { users } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createUser, RECENT_SIGN_IN_MS, setUserPassword } from "./user-verbs";

/**
 * Issue 12 item 8: a user who signs in only through single sign-on has no current password to
 * give, so setting one (a second, lasting way into the account) needs a sign-in within the last
 * RECENT_SIGN_IN_MS. Sessions are real encrypted session tokens read back the way every request
 * reads them.
 */
let env: TestEnv;
let ssoUser: { id: number; email: string };

beforeAll(async () => {
  env = await createTestEnv();
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.ETCD_ENDPOINTS = env.etcdEndpoints.join(",");
  process.env.AUTH_SECRET ??= "test-secret-0123456789abcdef0123456789abcdef";
  ssoUser = await createUser({ ctx: env.ctx(), input: { email: "sso-only@example.test", name: "SSO" } });
});

afterAll(async () => {
  await env?.cleanup();
});

async function sessionActor(authenticatedAtMs?: number) {
  const token = await encodeSessionToken({ userId: ssoUser.id, email: ssoUser.email, pwf: passwordFingerprint(null), authenticatedAtMs });
  return (await actorFromCookies(env.db, new Map([[SESSION_COOKIE, token]])))!;
}
const hash = async () => (await env.db.select().from(users).where(eq(users.id, ssoUser.id)))[0]!.passwordHash;
const outcome = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ServiceError ? `${e.code}:${String(e.details?.reason ?? "")}` : String(e)));

describe("setting a first password without one to confirm", () => {
  it("is refused to a session signed in longer ago than the limit, or one that does not say when, and changes nothing", async () => {
    for (const at of [undefined, Date.now() - RECENT_SIGN_IN_MS - 1_000, Date.now() + 10 * 60_000]) {
      const ctx = env.ctx(await sessionActor(at));
      expect(await outcome(setUserPassword({ ctx, input: { userId: ssoUser.id, password: "a long enough password" } }))).toBe("forbidden:reauthentication_required");
    }
    expect(await hash()).toBeNull();
  });

  it("is allowed right after a sign-in, and then needs the current password like any other change", async () => {
    const fresh = env.ctx(await sessionActor(Date.now() - 1_000));
    expect(await outcome(setUserPassword({ ctx: fresh, input: { userId: ssoUser.id, password: "a long enough password" } }))).toBe("ok");
    expect(await hash()).toMatch(/^\$2/);
    expect(await outcome(setUserPassword({ ctx: fresh, input: { userId: ssoUser.id, password: "yet another long password" } }))).toBe("validation_failed:");
  });
});
