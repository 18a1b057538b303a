import type { Db } from "../db/client";
import type { HeaderReader } from "../http/api-request";
import { getDb } from "../db/client";
import type { Actor } from "./actor";
import { authenticateApiToken, invalidToken } from "./api-token-auth";

/**
 * Pluggable actor resolution for the admin API (and anything else that takes a Request).
 *
 * A resolver looks at the request for its kind of credential:
 *  - returns null when that credential is absent (the next resolver is tried),
 *  - returns the Actor when it is present and valid,
 *  - throws ServiceError("unauthenticated") when it is present but invalid (no fallback: a bad
 *    token must not silently turn into "use the session cookie instead").
 *
 * `usesCookies` marks credentials a browser attaches on its own; the route wrapper then requires a
 * same-origin request for anything but GET/HEAD (CSRF). Header credentials (Bearer) cannot be
 * forged cross-site, so they skip that check.
 *
 * EXTENSION POINT: resolvers are listed in DEFAULT_RESOLVERS below; more are added at run time
 * with registerActorResolver(). The console session resolver (auth/session.ts) registers itself
 * when that module is loaded, which only the Next.js app does (instrumentation.ts): the worker's
 * admin API takes bearer tokens only and must not load next-auth. Header credentials go first, so
 * a request carrying both a token and a session cookie is judged by its explicit token.
 */
export interface ActorResolver {
  name: string;
  usesCookies: boolean;
  resolve(req: { headers: HeaderReader }, deps: { db: Db }): Promise<Actor | null>;
}

export interface ResolvedActor {
  actor: Actor;
  /** Name of the resolver that accepted the credential. */
  via: string;
  usesCookies: boolean;
}

/** `Authorization: Bearer mf_admin_...` admin API tokens. */
export const bearerTokenResolver: ActorResolver = {
  name: "api_token",
  usesCookies: false,
  async resolve(req, { db }) {
    const header = req.headers.get("authorization");
    if (!header) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      if (/^Bearer\b/i.test(header)) throw invalidToken("Malformed Authorization header; expected 'Bearer <token>'");
      return null; // another scheme: some other resolver may understand it
    }
    return authenticateApiToken(db, m[1]!);
  },
};

const DEFAULT_RESOLVERS: ActorResolver[] = [bearerTokenResolver];

// On globalThis so a resolver registered from one module copy is seen by all (Next.js may load a
// module once per route bundle).
const g = globalThis as unknown as { mizuflowActorResolvers?: ActorResolver[] };
const resolvers = (g.mizuflowActorResolvers ??= [...DEFAULT_RESOLVERS]);

/**
 * Adds (or replaces, by name) a resolver. Cookie-based resolvers always run after header ones.
 * Returns a function that removes it again (for a resolver that lives only as long as its caller).
 */
export function registerActorResolver(resolver: ActorResolver): () => void {
  const i = resolvers.findIndex((r) => r.name === resolver.name);
  if (i >= 0) resolvers.splice(i, 1);
  resolvers.push(resolver);
  resolvers.sort((a, b) => Number(a.usesCookies) - Number(b.usesCookies));
  return () => {
    const at = resolvers.indexOf(resolver);
    if (at >= 0) resolvers.splice(at, 1);
  };
}

/** The actor behind a request, or null when it carries no credential any resolver understands. */
export async function resolveActor(req: { headers: HeaderReader }, deps: { db?: Db } = {}): Promise<ResolvedActor | null> {
  const db = deps.db ?? getDb();
  for (const r of resolvers) {
    const actor = await r.resolve(req, { db });
    if (actor) return { actor, via: r.name, usesCookies: r.usesCookies };
  }
  return null;
}
