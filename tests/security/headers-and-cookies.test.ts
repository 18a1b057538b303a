import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * Guarantees checked without a production build (tests/security/next-server.test.ts checks the
 * same against `next start` when a build exists):
 *  - next.config.ts sends X-Frame-Options, nosniff, Referrer-Policy and Permissions-Policy on every
 *    path and no X-Powered-By, and a script-free CSP on the admin API, SDK endpoints and assets;
 *    pages' CSP (proxy.ts) admits only scripts with the request's nonce; no policy allows eval in
 *    production, framing, plugins or foreign form targets;
 *  - next-auth, as configured, issues `__Host-`/`__Secure-` cookies marked Secure when the app is
 *    served over https (NEXTAUTH_URL), HttpOnly and SameSite=Lax always;
 *  - the session reader prefers the `__Secure-` cookie when both are present, and on an https
 *    console reads only that one.
 */
const originalEnv = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in originalEnv)) delete process.env[k];
  Object.assign(process.env, originalEnv);
  vi.resetModules();
});

async function headersFor(nodeEnv: string) {
  vi.resetModules();
  vi.stubEnv("NODE_ENV", nodeEnv);
  try {
    const config = (await import("../../next.config")).default;
    const rules = (await config.headers!()) as { source: string; headers: { key: string; value: string }[] }[];
    return { config, rules };
  } finally {
    vi.unstubAllEnvs();
  }
}

describe("security headers (next.config.ts, lib/security/csp.ts)", () => {
  const directives = (policy: string) => Object.fromEntries(policy.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));

  it("apply to every path in production; responses that are not pages get a strict CSP without a nonce", async () => {
    const { config, rules } = await headersFor("production");
    expect(config.poweredByHeader).toBe(false);
    const all = rules.find((r) => r.source === "/:path*");
    expect(all, "one rule covering every path").toBeTruthy();
    const h = Object.fromEntries(all!.headers.map((x) => [x.key.toLowerCase(), x.value]));
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["permissions-policy"]).toMatch(/camera=\(\)/);
    for (const source of ["/api/:path*", "/_next/:path*"]) {
      const rule = rules.find((r) => r.source === source);
      const csp = directives(rule!.headers.find((x) => x.key === "Content-Security-Policy")!.value);
      expect(csp["default-src"]).toEqual(["'self'"]);
      expect(csp["script-src"]).toEqual(["'self'"]);
      expect(csp["frame-ancestors"]).toEqual(["'none'"]);
      expect(csp["object-src"]).toEqual(["'none'"]);
      expect(csp["base-uri"]).toEqual(["'self'"]);
      expect(csp["form-action"]).toEqual(["'self'"]);
      expect(csp["connect-src"]).toEqual(["'self'"]);
    }
  });

  it("pages' policy allows only scripts carrying the request's nonce (and what they load), never inline or eval", async () => {
    const { contentSecurityPolicy, newNonce } = await import("../../lib/security/csp");
    const nonce = newNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(nonce);
    const csp = directives(contentSecurityPolicy({ nonce }));
    expect(csp["script-src"]).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
  });

  // Issue 12, item 8: the matcher used to skip prefetches, which then got no CSP at all (a
  // browser may keep a prefetched document and show it). next-server.test.ts checks the responses.
  it("proxy.ts gives prefetched pages their nonce policy too: its matcher has no exception for them", async () => {
    const { config } = await import("../../proxy");
    const matchers = (Array.isArray(config.matcher) ? config.matcher : [config.matcher]) as (string | { source?: string; missing?: unknown[] })[];
    expect(matchers.length).toBeGreaterThan(0);
    for (const m of matchers) {
      if (typeof m === "string") continue;
      expect(JSON.stringify(m.missing ?? []).toLowerCase()).not.toMatch(/prefetch|purpose/);
    }
    const source = (m: string | { source?: string }) => (typeof m === "string" ? m : (m.source ?? ""));
    // This matcher's source is also a plain regular expression: pages match, the API does not.
    expect(matchers.some((m) => new RegExp(`^${source(m)}$`).test("/flags"))).toBe(true);
    expect(matchers.some((m) => new RegExp(`^${source(m)}$`).test("/api/v1/flags"))).toBe(false);
  });

  it("relax only what development needs (eval for fast refresh, websockets for HMR)", async () => {
    const { rules } = await headersFor("development");
    const csp = rules.find((r) => r.source === "/api/:path*")!.headers.find((x) => x.key === "Content-Security-Policy")!.value;
    expect(csp).toContain("'unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

/**
 * Runs next-auth's own handler (its pages-style entry, which needs no Next.js request context) for
 * GET /api/auth/csrf with our options, and returns the Set-Cookie lines it produced.
 */
async function csrfSetCookies(publicUrl: string): Promise<string[]> {
  vi.resetModules();
  Object.assign(process.env, {
    NODE_ENV: "production",
    AUTH_SECRET: "x".repeat(40),
    DATABASE_URL: "mysql://u@127.0.0.1:3306/db",
    ETCD_ENDPOINTS: "http://127.0.0.1:2379",
    NEXTAUTH_URL: publicUrl,
  });
  const NextAuth = (await import("next-auth")).default as unknown as (req: unknown, res: unknown, options: unknown) => Promise<void>;
  const { getAuthOptions } = await import("../../lib/auth/auth-options");
  const headers = new Map<string, string | string[]>();
  const res = {
    statusCode: 200,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    getHeader: (k: string) => headers.get(k.toLowerCase()),
    setHeader(k: string, v: string | string[]) {
      headers.set(k.toLowerCase(), v);
      return this;
    },
    send: () => undefined,
    json: () => undefined,
    end: () => undefined,
  };
  const req = { method: "GET", query: { nextauth: ["csrf"] }, headers: { host: new URL(publicUrl).host }, cookies: {}, body: {} };
  await NextAuth(req, res, getAuthOptions());
  const set = headers.get("set-cookie") ?? [];
  return Array.isArray(set) ? set : [set];
}

describe("session and CSRF cookies (next-auth as configured in lib/auth/auth-options.ts)", () => {
  it("are __Host-/__Secure-, Secure, HttpOnly and SameSite=Lax when the app is served over https", async () => {
    const cookies = await csrfSetCookies("https://flags.example.com");
    const csrf = cookies.find((c) => c.includes("next-auth.csrf-token="));
    expect(csrf, cookies.join("\n")).toMatch(/^__Host-next-auth\.csrf-token=/);
    for (const attr of [/;\s*Secure(;|$)/i, /;\s*HttpOnly/i, /;\s*SameSite=Lax/i, /;\s*Path=\/(;|$)/i]) expect(csrf).toMatch(attr);
    expect(csrf).not.toMatch(/;\s*Domain=/i);
  });

  it("drop Secure only for a plain-http origin (local development), still HttpOnly and SameSite=Lax", async () => {
    const cookies = await csrfSetCookies("http://localhost:3000");
    const csrf = cookies.find((c) => c.includes("next-auth.csrf-token="));
    expect(csrf, cookies.join("\n")).toMatch(/^next-auth\.csrf-token=/);
    expect(csrf).not.toMatch(/;\s*Secure/i);
    for (const attr of [/;\s*HttpOnly/i, /;\s*SameSite=Lax/i]) expect(csrf).toMatch(attr);
  });

  it("are not forced insecure by the configuration", async () => {
    Object.assign(process.env, { AUTH_SECRET: "x".repeat(40), DATABASE_URL: "mysql://u@127.0.0.1:3306/db", ETCD_ENDPOINTS: "http://127.0.0.1:2379" });
    const { getAuthOptions } = await import("../../lib/auth/auth-options");
    const opts = getAuthOptions();
    expect(opts.useSecureCookies).not.toBe(false);
    expect(opts.cookies).toBeUndefined();
  });

  it("are read __Secure- first, so a plain cookie planted next to it cannot take over the session", async () => {
    const { sessionTokenFromCookies, SECURE_SESSION_COOKIE, SESSION_COOKIE } = await import("../../lib/auth/session-token");
    const jar = new Map([
      [SESSION_COOKIE, "planted"],
      [SECURE_SESSION_COOKIE, "real"],
    ]);
    expect(sessionTokenFromCookies(jar)).toBe("real");
  });

  it("are never read under the plain name on an https console (next-auth never issues it there)", async () => {
    const { sessionTokenFromCookies, sessionCookieNames, SECURE_SESSION_COOKIE, SESSION_COOKIE } = await import("../../lib/auth/session-token");
    const planted = new Map([[SESSION_COOKIE, "planted"]]);
    expect(sessionTokenFromCookies(planted, sessionCookieNames("https://flags.example.com"))).toBeNull();
    expect(sessionTokenFromCookies(new Map([[`${SESSION_COOKIE}.0`, "plant"], [`${SESSION_COOKIE}.1`, "ed"]]), sessionCookieNames("https://flags.example.com"))).toBeNull();
    expect(sessionTokenFromCookies(new Map([[SECURE_SESSION_COOKIE, "real"]]), sessionCookieNames("https://flags.example.com"))).toBe("real");
    // Plain http (local development): the plain name is the one next-auth issues.
    expect(sessionTokenFromCookies(planted, sessionCookieNames("http://localhost:3000"))).toBe("planted");
    expect(sessionTokenFromCookies(planted, sessionCookieNames(undefined))).toBe("planted");
  });
});
