import { createRequire } from "node:module";
import path from "node:path";
import type { NextAuthOptions } from "next-auth";
import { sessionTokenFromCookies } from "../../lib/auth/session-token";

// next-auth's transport-neutral core (what its Next.js route handler calls); not in its export map.
interface InternalResponse {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies?: { name: string; value: string; options?: { maxAge?: number } }[];
}
const require = createRequire(import.meta.url);
const { AuthHandler } = require(path.join(path.dirname(require.resolve("next-auth")), "core/index.js")) as {
  AuthHandler(params: { req: Request; options: NextAuthOptions }): Promise<InternalResponse>;
};

/**
 * Drives next-auth's real OAuth sign-in (its core AuthHandler, the code behind the console's
 * /api/auth routes) against a real identity provider over HTTP: CSRF token, POST signin, the
 * provider's redirects, then the callback. Keeps the browser's cookies for both sides. NEXTAUTH_URL
 * must be APP_URL.
 */
export const APP_URL = "http://console.test";

type Jar = Map<string, string>;
const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function app(options: NextAuthOptions, jar: Jar, path: string, body?: Record<string, unknown>) {
  const req = new Request(APP_URL + path, {
    method: body ? "POST" : "GET",
    headers: { cookie: cookieHeader(jar), host: new URL(APP_URL).host, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const res = await AuthHandler({ req, options });
  for (const c of res.cookies ?? []) {
    if (!c.value || c.options?.maxAge === 0) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return res;
}

export interface SignInResult {
  /** The session cookie's token, or null when next-auth refused the sign-in. */
  sessionToken: string | null;
  /** Where next-auth sent the browser last (…/login?error=AccessDenied on refusal). */
  redirect: string;
}

export async function signInThroughProvider(options: NextAuthOptions, providerId = "oidc"): Promise<SignInResult> {
  const jar: Jar = new Map();
  const csrf = await app(options, jar, "/api/auth/csrf");
  const { csrfToken } = csrf.body as { csrfToken: string };
  const start = await app(options, jar, `/api/auth/signin/${providerId}`, { csrfToken, callbackUrl: `${APP_URL}/`, json: "true" });
  let url: string | undefined = start.redirect;
  if (!url) throw new Error(`next-auth did not redirect to the provider (status ${start.status})`);
  const idpJar: Jar = new Map();
  for (let hops = 0; !url.startsWith(APP_URL); hops++) {
    if (hops > 20) throw new Error("too many redirects at the identity provider");
    const res: Response = await fetch(url, { redirect: "manual", headers: { cookie: cookieHeader(idpJar) } });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const i = pair!.indexOf("=");
      const [name, value] = [pair!.slice(0, i).trim(), pair!.slice(i + 1).trim()];
      if (value) idpJar.set(name, value);
      else idpJar.delete(name);
    }
    const location: string | null = res.headers.get("location");
    if (!location) throw new Error(`identity provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 200)}`);
    await res.body?.cancel();
    url = new URL(location, url).href;
  }
  const cb = new URL(url);
  const done = await app(options, jar, cb.pathname + cb.search);
  return { sessionToken: sessionTokenFromCookies(jar, ["next-auth.session-token"]), redirect: done.redirect ?? "" };
}
