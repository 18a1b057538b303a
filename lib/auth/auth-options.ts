import { eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb, type Db } from "../db/client";
import { users } from "../db/schema";
import { clientAddress, type LoginLimiter } from "./login-rate-limit";
import { signInWithOidc, userForIdentity } from "./oidc-link";
import { SharedLoginRateLimiter } from "./shared-login-rate-limit";
import { verifyPassword } from "./password";
import { passwordFingerprint } from "./session-actor";
import { getAuthSecret, sessionMaxAgeSeconds } from "./session-token";

/**
 * next-auth configuration: e-mail + password against the users table (bcrypt), and optionally one
 * OpenID Connect provider when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set (it only
 * signs in people who already have an active MizuFlow account; see oidc-link.ts for how an identity
 * is linked to one). Sessions are JWTs with an absolute lifetime; next-auth's double-submit CSRF
 * token guards its POST endpoints.
 */
const OidcEnvSchema = z.object({
  OIDC_ISSUER: z.string().url(),
  OIDC_CLIENT_ID: z.string().min(1),
  OIDC_CLIENT_SECRET: z.string().min(1),
  OIDC_DISPLAY_NAME: z.string().min(1).max(60).default("Single sign-on"),
});

export function oidcConfig(): z.infer<typeof OidcEnvSchema> | null {
  const e = process.env;
  if (!e.OIDC_ISSUER && !e.OIDC_CLIENT_ID && !e.OIDC_CLIENT_SECRET) return null;
  const parsed = OidcEnvSchema.safeParse(e);
  if (!parsed.success) {
    throw new Error(`OIDC is partly configured: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (${parsed.error.issues.map((i) => i.path.join(".")).join(", ")})`);
  }
  return parsed.data;
}

const CredentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1000),
});

export const WRONG_CREDENTIALS = "Wrong e-mail address or password.";

/** The credentials check behind the login form; throws an Error whose message the form shows. */
export async function authorizeCredentials(
  raw: unknown,
  headers: Record<string, string | string[] | undefined>,
  deps: { db?: Db; limiter?: LoginLimiter } = {},
) {
  const parsed = CredentialsSchema.safeParse(raw);
  if (!parsed.success) throw new Error("Enter your e-mail address and password.");
  const { email, password } = parsed.data;
  const db = deps.db ?? getDb();
  const limiter = deps.limiter ?? new SharedLoginRateLimiter(db);
  const address = clientAddress(headers);
  const verdict = await limiter.check(email, address);
  if (!verdict.allowed) throw new Error(verdict.message);
  const [user] = await db.select().from(users).where(eq(users.email, email));
  const ok = await verifyPassword(password, user?.passwordHash);
  if (!user || !ok) {
    await limiter.recordFailure(email, address);
    throw new Error(WRONG_CREDENTIALS);
  }
  if (user.disabledAt) throw new Error("This account is disabled. Ask an administrator to enable it.");
  await limiter.recordSuccess(email);
  return { id: String(user.id), email: user.email, name: user.name, pwf: passwordFingerprint(user.passwordHash) };
}

/**
 * The OIDC profile next-auth hands to the callbacks: the verified ID token's claims plus the
 * userinfo response. Providers that follow the spec's default put e-mail and email_verified in
 * userinfo only; openid-client checks that its `sub` is the ID token's, and iss/sub are taken from
 * the ID token so the response cannot rename the identity.
 */
export async function oidcClaims(ctx: { tokens: object; client: object }): Promise<Record<string, unknown> & { sub?: string }> {
  // next-auth passes openid-client's TokenSet and Client (typed loosely here: openid-client is
  // next-auth's dependency, not this project's).
  const tokens = ctx.tokens as { access_token?: string; claims(): Record<string, unknown> };
  const client = ctx.client as { userinfo(t: typeof tokens): Promise<Record<string, unknown>> };
  const idClaims = tokens.claims();
  const info = tokens.access_token ? await client.userinfo(tokens) : {};
  return { ...idClaims, ...info, iss: idClaims.iss, sub: String(idClaims.sub) };
}

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  cached ??= authOptionsFor(oidcConfig());
  return cached;
}

/** The configuration for a given OIDC setting (tests sign in against several providers). */
export function authOptionsFor(oidc: z.infer<typeof OidcEnvSchema> | null): NextAuthOptions {
  const maxAge = sessionMaxAgeSeconds();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "E-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authorizeCredentials(credentials, req.headers ?? {}),
    }),
  ];
  if (oidc) {
    providers.push({
      id: "oidc",
      name: oidc.OIDC_DISPLAY_NAME,
      type: "oauth",
      wellKnown: `${oidc.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: oidc.OIDC_CLIENT_ID,
      clientSecret: oidc.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      userinfo: { request: oidcClaims },
      profile: (p: { sub: string; email?: string; name?: string }) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.email ?? p.sub }),
    });
  }
  return {
    secret: getAuthSecret(),
    providers,
    session: { strategy: "jwt", maxAge, updateAge: maxAge },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        return (await signInWithOidc(getDb(), profile)).ok;
      },
      async jwt({ token, user, account, profile }) {
        if (!user) return token;
        // `aat` (authenticated at, epoch seconds) is when the person last proved who they are;
        // setting a first password asks for a recent one (services/users/user-verbs.ts).
        const aat = Math.floor(Date.now() / 1000);
        if (account?.provider === "oidc") {
          const row = await userForIdentity(getDb(), profile);
          if (!row) throw new Error("The single sign-on identity is not linked to an active account.");
          return { ...token, sub: String(row.id), uid: row.id, pwf: passwordFingerprint(row.passwordHash), email: row.email, name: row.name, aat };
        }
        const u = user as { id: string; email: string; pwf: string };
        return { ...token, sub: u.id, uid: Number(u.id), pwf: u.pwf, email: u.email, aat };
      },
      async session({ session, token }) {
        return { ...session, user: { email: token.email as string, name: (token.name as string) ?? token.email } };
      },
    },
  };
}
