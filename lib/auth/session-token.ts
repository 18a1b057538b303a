import { decode, encode } from "next-auth/jwt";
import { getEnv } from "../config/env";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "./session-cookie-names";

/**
 * The console session is a next-auth JWT (encrypted with AUTH_SECRET) in an http-only cookie. This
 * file is the one place that knows its name and secret, so route handlers, server actions, server
 * components and the admin API all read the same session the same way.
 */
export { SECURE_SESSION_COOKIE, SESSION_COOKIE };

/** Session lifetime: absolute, from sign-in (SESSION_MAX_AGE_SECONDS, default 8 hours). */
export function sessionMaxAgeSeconds(): number {
  const raw = Number(process.env.SESSION_MAX_AGE_SECONDS ?? "");
  return Number.isInteger(raw) && raw >= 60 && raw <= 30 * 24 * 3600 ? raw : 8 * 3600;
}

/**
 * AUTH_SECRET signs and encrypts sessions and CSRF tokens. There is no fallback in any environment:
 * next-auth would otherwise derive a guessable secret from its own configuration in development.
 */
export function getAuthSecret(): string {
  const secret = getEnv().AUTH_SECRET;
  if (!secret) {
    throw new Error(
      "AUTH_SECRET is not set. Sessions cannot be signed without it. Generate one with `openssl rand -base64 32` " +
        "and put it in the environment (npm run stack provides one for local development).",
    );
  }
  return secret;
}

export interface SessionClaims {
  userId: number;
  /** Password fingerprint at sign-in (see session-actor.ts). */
  pwf: string;
  /** When the person signed in (epoch ms; from the `aat` claim), if the session records it. */
  authenticatedAtMs?: number;
}

/**
 * The cookie names a session may arrive under. next-auth issues the `__Secure-` name, and only it,
 * when NEXTAUTH_URL is https; the plain name exists for http development. On an https console
 * the plain name is therefore never ours, so it is not read at all: a cookie planted under it (by
 * a sibling subdomain, or over plain http) cannot sign a visitor in as someone else.
 */
export function sessionCookieNames(publicUrl = process.env.NEXTAUTH_URL): readonly string[] {
  return publicUrl?.startsWith("https://") ? [SECURE_SESSION_COOKIE] : [SECURE_SESSION_COOKIE, SESSION_COOKIE];
}

/** Reads the session token out of a cookie map, joining next-auth's chunked cookies (name.0, name.1...). */
export function sessionTokenFromCookies(cookies: Map<string, string>, names = sessionCookieNames()): string | null {
  for (const name of names) {
    const whole = cookies.get(name);
    if (whole) return whole;
    const chunks = [...cookies.entries()]
      .filter(([k]) => k.startsWith(`${name}.`) && /^\d+$/.test(k.slice(name.length + 1)))
      .sort(([a], [b]) => Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)));
    if (chunks.length) return chunks.map(([, v]) => v).join("");
  }
  return null;
}

export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** Decrypts and checks a session token; null when missing, forged, or expired. */
export async function decodeSessionToken(token: string | null): Promise<SessionClaims | null> {
  if (!token) return null;
  const secret = getAuthSecret(); // a missing secret is a configuration error, not "signed out"
  try {
    const payload = await decode({ token, secret });
    const userId = Number(payload?.uid);
    if (!payload || !Number.isSafeInteger(userId) || userId <= 0 || typeof payload.pwf !== "string") return null;
    const aat = Number(payload.aat);
    return { userId, pwf: payload.pwf, ...(Number.isSafeInteger(aat) && aat > 0 ? { authenticatedAtMs: aat * 1000 } : {}) };
  } catch {
    return null;
  }
}

/** Issues a session token (tests use it to act as a signed-in user without the login form). */
export async function encodeSessionToken(claims: SessionClaims & { email: string }, maxAge = sessionMaxAgeSeconds()): Promise<string> {
  const aat = claims.authenticatedAtMs === undefined ? {} : { aat: Math.floor(claims.authenticatedAtMs / 1000) };
  return encode({ token: { sub: String(claims.userId), uid: claims.userId, pwf: claims.pwf, email: claims.email, ...aat }, secret: getAuthSecret(), maxAge });
}
