import type { Db } from "../db/client";
import type { HeaderReader } from "../http/api-request";
import type { Actor } from "./actor";
import { registerActorResolver, type ActorResolver } from "./resolve-actor";
import { loadUserActor } from "./session-actor";
import { decodeSessionToken, parseCookieHeader, sessionTokenFromCookies } from "./session-token";

/**
 * Resolves the Actor behind a console session, from cookies however the caller got them (a Request's
 * Cookie header, or Next's cookies() store). Null when there is no valid session for an active user.
 */
export async function actorFromCookies(db: Db, cookies: Map<string, string>): Promise<Actor | null> {
  const claims = await decodeSessionToken(sessionTokenFromCookies(cookies));
  if (!claims) return null;
  const actor = await loadUserActor(db, claims.userId, claims.pwf);
  return actor && claims.authenticatedAtMs !== undefined ? { ...actor, authenticatedAtMs: claims.authenticatedAtMs } : actor;
}

/** Session actor resolver for route handlers: reads the Cookie header of the request. */
export async function resolveSessionActor(req: { headers: HeaderReader }, db: Db): Promise<Actor | null> {
  const cookieHeader = req.headers.get("cookie");
  if (!cookieHeader) return null;
  return actorFromCookies(db, parseCookieHeader(cookieHeader));
}

/**
 * The console session as an admin-API credential. Cookie-based, so the API wrapper demands a
 * same-origin request for writes. Loading this module registers it: the Next.js server does at
 * start (instrumentation.ts), the worker never does (it would pull next-auth in; its admin API
 * drops cookies anyway).
 */
export const sessionActorResolver: ActorResolver = {
  name: "session",
  usesCookies: true,
  resolve: (req, { db }) => resolveSessionActor(req, db),
};

registerActorResolver(sessionActorResolver);
