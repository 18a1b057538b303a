import { eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb, type Db } from "../db/client";
import { users } from "../db/schema";
import { clientAddress, type LoginLimiter } from "./login-rate-limit";
import { SharedLoginRateLimiter } from "./shared-login-rate-limit";
import { verifyPassword } from "./password";
import { passwordFingerprint } from "./session-actor";
import { getAuthSecret, sessionMaxAgeSeconds } from "./session-token";

/**
 * next-auth configuration: e-mail + password against the users table (bcrypt), and optionally one
 * OpenID Connect provider when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set (it only
 * signs in people who already have an active MizuFlow account with the same e-mail). Sessions are
 * JWTs with an absolute lifetime; next-auth's double-submit CSRF token guards its POST endpoints.
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

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const oidc = oidcConfig();
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
      profile: (p: { sub: string; email?: string; name?: string }) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.email ?? p.sub }),
    });
  }
  cached = {
    secret: getAuthSecret(),
    providers,
    session: { strategy: "jwt", maxAge, updateAge: maxAge },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    callbacks: {
      async signIn({ account, user }) {
        if (account?.provider !== "oidc") return true;
        const email = user.email?.toLowerCase();
        if (!email) return false;
        const [row] = await getDb().select().from(users).where(eq(users.email, email));
        return Boolean(row && !row.disabledAt);
      },
      async jwt({ token, user, account }) {
        if (!user) return token;
        if (account?.provider === "oidc") {
          const [row] = await getDb().select().from(users).where(eq(users.email, user.email!.toLowerCase()));
          return { ...token, sub: String(row!.id), uid: row!.id, pwf: passwordFingerprint(row!.passwordHash), email: row!.email };
        }
        const u = user as { id: string; email: string; pwf: string };
        return { ...token, sub: u.id, uid: Number(u.id), pwf: u.pwf, email: u.email };
      },
      async session({ session, token }) {
        return { ...session, user: { email: token.email as string, name: (token.name as string) ?? token.email } };
      },
    },
  };
  return cached;
}
