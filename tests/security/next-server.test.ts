import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/local-services";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { createUser } from "../../lib/users/user-verbs";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { ensureE2eBuild } from "../support/e2e/next-build";

/**
 * Guarantees checked against the production server (`next start` of the existing build):
 *  - security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy) on console pages (prefetched
 *    ones too), the admin API and the SDK endpoints, and no X-Powered-By;
 *  - served as https (NEXTAUTH_URL), the session and CSRF cookies are `__Secure-`/`__Host-`,
 *    Secure, HttpOnly and SameSite=Lax;
 *  - the admin API refuses oversized bodies with 413 through the real HTTP stack;
 *  - the server's own output holds no secret after requests carrying them (`?sdk_key=`, tokens);
 *  - without AUTH_SECRET a production server refuses to start, with the reason.
 * The production build is made first when it is missing or older than the sources (the same
 * locked build the browser tests use), so `npm test` never skips these checks on a fresh clone.
 * MIZUFLOW_BUILD_DIR may name another checkout whose existing build to use instead.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const APP_DIR = process.env.MIZUFLOW_BUILD_DIR ?? ROOT;
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Builds this checkout's app when needed; another checkout's build must exist already. */
async function ensureBuild(): Promise<void> {
  if (APP_DIR === ROOT) await ensureE2eBuild((m) => console.log(`[security] ${m}`));
  if (!existsSync(path.join(APP_DIR, ".next", "BUILD_ID")) || !existsSync(path.join(APP_DIR, ".next", "server", "instrumentation.js"))) {
    throw new Error(`no current production build in ${APP_DIR}/.next (run: npx next build there)`);
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startNext(port: number, env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [NEXT_BIN, "start", APP_DIR, "-p", String(port), "-H", "127.0.0.1"], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill("SIGTERM");
  const t = setTimeout(() => r.child.kill("SIGKILL"), 5_000);
  await r.exited;
  clearTimeout(t);
}

describe("the production Next.js server", () => {
  let env: TestEnv;
  let app: Running;
  let base: string;
  const authSecret = randomBytes(32).toString("base64");
  const password = `pw-${randomBytes(12).toString("base64url")}`;
  let token: string;
  let sdkKey: string;

  beforeAll(async () => {
    [env] = await Promise.all([createTestEnv(), ensureBuild()]);
    await createEnvironment({ ctx: env.ctx(), input: { key: "prod", name: "Production" } });
    await createUser({ ctx: env.ctx(), input: { email: "sec@example.test", name: "Sec", password, isSuperAdmin: true } });
    token = (await createApiToken({ ctx: env.ctx(), input: { name: "sec", role: "admin", namespaces: null, superAdmin: true } })).token;
    sdkKey = (await createSdkKey({ ctx: env.ctx(), input: { name: "sec", environment: "prod", namespaces: null } })).key;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = startNext(port, {
      DATABASE_URL: env.databaseUrl,
      ETCD_ENDPOINTS: env.etcdEndpoints.join(","),
      ETCD_PREFIX: env.etcdPrefix,
      AUTH_SECRET: authSecret,
      // Served as https behind a TLS-terminating proxy: next-auth derives cookie security from this.
      NEXTAUTH_URL: `https://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
    });
    for (const deadline = Date.now() + 45_000; ; ) {
      if (app.child.exitCode !== null) throw new Error(`next start exited:\n${app.output()}`);
      if (await fetch(`${base}/api/health`).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`next start did not answer:\n${app.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 600_000);

  afterAll(async () => {
    await stop(app);
    await env?.cleanup();
  });

  it("sends the security headers on console pages, the admin API and the SDK endpoints", async () => {
    const targets = ["/login", "/", "/flags", "/api/health", "/api/v1/flags", "/api/v1/openapi.json", `/api/sdk/v1/flags?sdk_key=${sdkKey}`, "/no-such-page"];
    for (const p of targets) {
      const res = await fetch(base + p, { redirect: "manual" });
      const h = res.headers;
      const where = `${p} (${res.status})`;
      const csp = h.get("content-security-policy") ?? "";
      expect(csp, where).toContain("default-src 'self'");
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(csp, where).toContain("object-src 'none'");
      expect(csp, where).not.toContain("unsafe-eval");
      // Pages: a per-request nonce; API: no scripts at all. Never inline scripts.
      expect(csp.match(/script-src ([^;]*)/)?.[1], where).toMatch(p.startsWith("/api/") ? /^'self'$/ : /^'self' 'nonce-[A-Za-z0-9+/]+=*' 'strict-dynamic'$/);
      expect(h.get("x-frame-options"), where).toBe("DENY");
      expect(h.get("x-content-type-options"), where).toBe("nosniff");
      expect(h.get("referrer-policy"), where).toBe("strict-origin-when-cross-origin");
      expect(h.get("x-powered-by"), where).toBeNull();
      await res.arrayBuffer();
    }
  });

  it("puts a fresh CSP nonce on every page and on every script the page carries", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/login`);
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
      expect(nonce).toBeTruthy();
      nonces.push(nonce!);
      const scripts = (await res.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  // Issue 12, item 8: prefetches were left out of proxy.ts, and a browser may keep a prefetched
  // document and show it, with no CSP at all.
  it("gives prefetched pages (Purpose: prefetch, Next-Router-Prefetch) the same nonce policy as any page", async () => {
    const prefetches: Record<string, string>[] = [
      { purpose: "prefetch" },
      { "sec-purpose": "prefetch" },
      { "next-router-prefetch": "1", rsc: "1" },
      { "next-router-prefetch": "1", rsc: "1", purpose: "prefetch" },
    ];
    for (const headers of prefetches) {
      for (const p of ["/login", "/flags"]) {
        const res = await fetch(base + p, { headers, redirect: "manual" });
        const where = `${p} ${JSON.stringify(headers)} (${res.status})`;
        const csp = res.headers.get("content-security-policy") ?? "";
        expect(csp.match(/script-src ([^;]*)/)?.[1], where).toMatch(/^'self' 'nonce-[A-Za-z0-9+/]+=*' 'strict-dynamic'$/);
        expect(csp, where).toContain("frame-ancestors 'none'");
        const body = await res.text();
        const nonce = /'nonce-([^']+)'/.exec(csp)![1];
        for (const tag of body.match(/<script\b[^>]*>/g) ?? []) expect(tag, where).toContain(`nonce="${nonce}"`);
      }
    }
  });

  it("issues __Host-/__Secure- cookies that are Secure, HttpOnly and SameSite=Lax when served over https", async () => {
    const csrfRes = await fetch(`${base}/api/auth/csrf`);
    expect(csrfRes.status).toBe(200);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const csrfCookies = csrfRes.headers.getSetCookie();
    const csrf = csrfCookies.find((c) => c.startsWith("__Host-next-auth.csrf-token="));
    expect(csrf, csrfCookies.join("\n")).toBeTruthy();
    for (const attr of [/;\s*Secure/i, /;\s*HttpOnly/i, /;\s*SameSite=Lax/i, /;\s*Path=\//i]) expect(csrf).toMatch(attr);

    const cookieHeader = csrfCookies.map((c) => c.split(";")[0]).join("; ");
    const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader, origin: base },
      body: new URLSearchParams({ csrfToken, email: "sec@example.test", password, json: "true", callbackUrl: "/" }),
    });
    const cookies = signIn.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__Secure-next-auth.session-token="));
    expect(session, `status ${signIn.status}: ${cookies.join("\n")}`).toBeTruthy();
    for (const attr of [/;\s*Secure/i, /;\s*HttpOnly/i, /;\s*SameSite=Lax/i]) expect(session).toMatch(attr);
    expect(cookies.some((c) => c.startsWith("next-auth.session-token="))).toBe(false);

    // The session works for the admin API (a read; writes also need a same-origin request).
    const sessionCookie = session!.split(";")[0]!;
    const me = await fetch(`${base}/api/v1/flags`, { headers: { cookie: sessionCookie } });
    expect(me.status).toBe(200);
  });

  it("refuses oversized admin API bodies with 413 through the real HTTP stack", async () => {
    const declared = await fetch(`${base}/api/v1/flags`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    expect(declared.status).toBe(413);
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += chunk.byteLength;
        if (sent > 64 * 1024 * 1024) return c.close();
        c.enqueue(chunk);
      },
    });
    const chunked = await fetch(`${base}/api/v1/flags`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: endless,
      duplex: "half",
    } as RequestInit).catch((err: unknown) => err);
    // Either the 413 arrives, or the server cuts the upload short; it never reads all 64 MiB.
    if (chunked instanceof Response) expect(chunked.status).toBe(413);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it("writes no secret to its output, whatever the requests carried", async () => {
    const q = `sdk_key=${sdkKey}&token=${token}&password=${encodeURIComponent(password)}`;
    for (const p of [`/api/sdk/v1/flags?${q}`, `/api/sdk/v1/stream?${q}&last_event_id=x`, `/api/v1/flags?${q}`, `/login?${q}`, `/api/auth/session?${q}`]) {
      const res = await fetch(base + p, { headers: { authorization: `Bearer ${token}`, "x-sdk-key": sdkKey } });
      if (res.headers.get("content-type")?.includes("event-stream")) await res.body!.cancel();
      else await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 300));
    const out = app.output();
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    for (const secret of [authSecret, password, token, sdkKey]) {
      expect(out.includes(secret), "secret in next start output").toBe(false);
      expect(out.includes(sha(secret)), "secret hash in next start output").toBe(false);
    }
  });
});

describe("production start-up", () => {
  beforeAll(ensureBuild, 600_000);

  it("refuses to start without AUTH_SECRET, saying why", async () => {
    const port = await freePort();
    const app = startNext(port, { DATABASE_URL: "mysql://root@127.0.0.1:9/none", ETCD_ENDPOINTS: "http://127.0.0.1:9" });
    const timeout = new Promise<"running">((r) => setTimeout(() => r("running"), 20_000));
    const code = await Promise.race([app.exited, timeout]);
    await stop(app);
    expect(code, app.output()).toBe(1);
    expect(app.output()).toMatch(/refuses to start[\s\S]*AUTH_SECRET is required in production/);
    // It never served anything.
    expect(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status, () => "refused")).toBe("refused");
  }, 30_000);
});
