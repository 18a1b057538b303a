import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../../tests/support/oidc-provider";
import { APP_URL, signInThroughProvider } from "../../tests/support/next-auth-flow";
import { createTestEnv, useAsProcessServices, type TestEnv } from "../../tests/support/test-env";
import { auditEvents, userIdentities, users } from "../db/schema";
import { createUser, setUserPassword, updateUser } from "../users/user-verbs";
import { authOptionsFor } from "./auth-options";
import { actorFromCookies } from "./session";
import { decodeSessionToken } from "./session-token";

/**
 * Issue 12 item 2: single sign-on must not hand out accounts. Each case runs next-auth's real code
 * flow (its core handler, PKCE + state) against a real OpenID Connect provider (oidc-provider) on
 * a loopback port, with the console's own configuration, and reads the session cookie it sets.
 * Guarantees: only a provider-verified e-mail links an identity, and only on exact equality; after
 * that the (issuer, subject) pair alone names the account; an account holds one identity per
 * issuer; disabled accounts never sign in.
 */
let env: TestEnv;
let idp: TestOidcProvider; // puts e-mail claims in the ID token, as many providers do
let specIdp: TestOidcProvider; // the spec's default: e-mail claims in userinfo only
const ids: Record<string, number> = {};

const options = (p: TestOidcProvider) =>
  authOptionsFor({ OIDC_ISSUER: p.issuer, OIDC_CLIENT_ID: p.clientId, OIDC_CLIENT_SECRET: p.clientSecret, OIDC_DISPLAY_NAME: "SSO" });

/** Signs in at `p` as `subject` (with those claims) and returns the session's claims, or null. */
async function signInSession(p: TestOidcProvider, subject: string, claims: Record<string, unknown>) {
  p.accounts.set(subject, claims);
  p.loginAs(subject);
  const { sessionToken, redirect } = await signInThroughProvider(options(p));
  if (!sessionToken) {
    expect(redirect).toMatch(/error=AccessDenied/);
    return null;
  }
  return { token: sessionToken, claims: (await decodeSessionToken(sessionToken))! };
}

/** The console user id the sign-in's session stands for, or null when refused. */
const signIn = async (p: TestOidcProvider, subject: string, claims: Record<string, unknown>) => (await signInSession(p, subject, claims))?.claims.userId ?? null;

const links = async (userId?: number) =>
  (await env.db.select().from(userIdentities).where(userId ? eq(userIdentities.userId, userId) : sql`1=1`)).map((r) => `${r.issuer}#${r.subject}`);

beforeAll(async () => {
  env = await createTestEnv();
  useAsProcessServices(env);
  process.env.DATABASE_URL = env.databaseUrl;
  process.env.ETCD_ENDPOINTS = env.etcdEndpoints.join(",");
  process.env.AUTH_SECRET ??= "test-secret-0123456789abcdef0123456789abcdef";
  process.env.NEXTAUTH_URL = APP_URL;
  const redirectUri = `${APP_URL}/api/auth/callback/oidc`;
  [idp, specIdp] = await Promise.all([startOidcProvider({ redirectUri, claimsIn: "id_token" }), startOidcProvider({ redirectUri, claimsIn: "userinfo" })]);
  for (const [key, email, isSuperAdmin] of [["root", "root@example.test", true], ["alice", "alice@example.test", false], ["rene", "rene@example.test", false], ["bob", "bob@example.test", false]] as const) {
    ids[key] = (await createUser({ ctx: env.ctx(), input: { email, name: key, isSuperAdmin } })).id;
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([idp?.close(), specIdp?.close()]);
  await env?.cleanup();
});

describe("OIDC sign-in and account linking", () => {
  it("an e-mail the provider has not verified never signs in, not even the super-admin's address", async () => {
    expect(await signIn(idp, "mallory-1", { email: "root@example.test", email_verified: false, name: "M" })).toBeNull();
    expect(await signIn(idp, "mallory-2", { email: "root@example.test", name: "M" })).toBeNull();
    expect(await signIn(specIdp, "mallory-3", { email: "root@example.test", email_verified: false })).toBeNull();
    expect(await links()).toEqual([]);
  });

  it("a verified e-mail links on first sign-in (audited); later sign-ins go by (issuer, subject) whatever e-mail the provider reports", async () => {
    expect(await signIn(idp, "alice-sub", { email: "Alice@Example.test", email_verified: true })).toBe(ids.alice);
    expect(await links(ids.alice)).toEqual([`${idp.issuer}#alice-sub`]);
    const audit = await env.db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.identity_link"), eq(auditEvents.targetId, ids.alice!)));
    expect(audit).toHaveLength(1);
    // The provider later reports another address, even the super-admin's: still Alice, nobody else.
    expect(await signIn(idp, "alice-sub", { email: "root@example.test", email_verified: true })).toBe(ids.alice);
    expect(await signIn(idp, "alice-sub", { email: "someone-new@example.test", email_verified: false })).toBe(ids.alice);
    expect(await links(ids.root)).toEqual([]);
  });

  it("a second identity of the same provider claiming a linked account's address is refused; another provider may link once", async () => {
    expect(await signIn(idp, "alice-again", { email: "alice@example.test", email_verified: true })).toBeNull();
    expect(await signIn(idp, "ALICE-SUB", { email: "alice@example.test", email_verified: true })).toBeNull(); // subjects are case-sensitive
    expect(await signIn(specIdp, "alice-at-spec", { email: "alice@example.test", email_verified: true })).toBe(ids.alice);
    expect((await links(ids.alice)).sort()).toEqual([`${idp.issuer}#alice-sub`, `${specIdp.issuer}#alice-at-spec`].sort());
  });

  it("e-mails compare exactly: an address equal only under the accent-insensitive collation does not link", async () => {
    // The column's collation does consider them equal: the old lookup would have signed in as René.
    const [collated] = await env.db.select({ id: users.id }).from(users).where(eq(users.email, "rené@example.test"));
    expect(collated?.id).toBe(ids.rene);
    expect(await signIn(idp, "rene-lookalike", { email: "rené@example.test", email_verified: true })).toBeNull();
    expect(await signIn(idp, "rene-fullwidth", { email: "ｒｅｎｅ@example.test", email_verified: true })).toBeNull();
    expect(await links(ids.rene)).toEqual([]);
    expect(await signIn(idp, "rene-sub", { email: "rene@example.test", email_verified: true })).toBe(ids.rene);
  });

  it("reads email_verified from userinfo when the ID token does not carry it (the spec's default)", async () => {
    expect(await signIn(specIdp, "bob-sub", { email: "bob@example.test", email_verified: true })).toBe(ids.bob);
  });

  it("the session records when the sign-in happened, so a user without a password may set one right after (issue 12 item 8)", async () => {
    const carol = await createUser({ ctx: env.ctx(), input: { email: "carol@example.test", name: "Carol" } });
    const t0 = Date.now();
    const session = await signInSession(idp, "carol-sub", { email: "carol@example.test", email_verified: true });
    expect(session?.claims.userId).toBe(carol.id);
    expect(session!.claims.authenticatedAtMs).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);
    const actor = (await actorFromCookies(env.db, new Map([["next-auth.session-token", session!.token]])))!;
    await expect(setUserPassword({ ctx: env.ctx(actor), input: { userId: carol.id, password: "a long enough password" } })).resolves.toEqual({ changed: true });
  });

  it("a disabled account never signs in, linked or not", async () => {
    await updateUser({ ctx: env.ctx(), input: { userId: ids.alice!, disabled: true } });
    expect(await signIn(idp, "alice-sub", { email: "alice@example.test", email_verified: true })).toBeNull();
    await updateUser({ ctx: env.ctx(), input: { userId: ids.bob!, disabled: true } });
    expect(await signIn(specIdp, "bob-sub", { email: "bob@example.test", email_verified: true })).toBeNull();
  });
});
