import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, vi } from "vitest";
import { seedDemo } from "../../../lib/seed/seed-demo";
import { createUser } from "../../../lib/users/user-verbs";
import { grantRole } from "../../../lib/users/membership-verbs";
import { createTestEnv, type TestEnv } from "../test-env";
import { startAppStack, type AppStack } from "./app-stack";
import { launchBrowser } from "./browser";
import { ensureE2eBuild } from "./next-build";

/**
 * One console under test for a browser test file: the production build with the worker, the demo
 * data (three environments, two namespaces, every flag type), an administrator and a reviewer of
 * the "checkout" namespace, and Chromium.
 */
export const ADMIN = { email: "admin@console.test", password: "admin password for console" };
export const REVIEWER = { email: "reviewer@console.test", password: "reviewer password console" };

/** The console's main pages (what the sidebar links to), as a super-admin sees them. */
export const MAIN_PAGES = ["/", "/flags", "/audit", "/realtime", "/namespaces", "/environments", "/sdk-keys", "/api-tokens", "/users", "/account"] as const;

/**
 * The production build and, unless `worker: false`, the worker, over a fresh database that `prepare`
 * fills while the build runs, and Chromium. What every browser file starts from; a failed start
 * cleans up what it had started.
 */
export interface ConsoleStack {
  env: TestEnv;
  stack: AppStack;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleStack(opts: { prepare(env: TestEnv): Promise<unknown>; worker?: boolean }): Promise<ConsoleStack> {
  const env = await createTestEnv();
  let stack: AppStack | undefined;
  try {
    await Promise.all([ensureE2eBuild((m) => console.log(`[e2e] ${m}`)), opts.prepare(env)]);
    stack = await startAppStack({ databaseUrl: env.databaseUrl, etcdEndpoints: env.etcdEndpoints, etcdPrefix: env.etcdPrefix, worker: opts.worker });
    const browser = await launchBrowser();
    const started = stack;
    return {
      env,
      stack,
      browser,
      async close() {
        await browser.close().catch(() => {});
        await started.stop();
        await env.cleanup();
      },
    };
  } catch (err) {
    await stack?.stop().catch(() => {});
    await env.cleanup().catch(() => {});
    throw err;
  }
}

/**
 * Opens a page of the console by its path and waits until it is interactive (`<html data-hydrated>`):
 * before that a click or a submit reaches the server-rendered HTML, not React, and is lost or sent
 * as a plain form (what made tests typing right after `goto` fail under load).
 */
export async function openHydrated(page: Page, url: string): Promise<Response | null> {
  const res = await page.goto(url);
  await page.locator("html[data-hydrated]").waitFor();
  return res;
}

export interface ConsoleSession extends ConsoleStack {
  newContext(opts?: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext>;
  signIn(context: BrowserContext, who: { email: string; password: string }): Promise<Page>;
  /** `openHydrated` on this console: the path, e.g. "/flags". */
  open(page: Page, path: string): Promise<Response | null>;
}

export async function startConsoleSession(): Promise<ConsoleSession> {
  const base = await startConsoleStack({
    async prepare(env) {
      await seedDemo({ db: env.db, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
      const reviewer = await createUser({ ctx: env.ctx(), input: { email: REVIEWER.email, name: "reviewer", password: REVIEWER.password } });
      await grantRole({ ctx: env.ctx(), input: { userId: reviewer.id, namespace: "checkout", role: "reviewer", environments: null } });
    },
  });
  const { stack, browser } = base;
  const contexts = new Set<BrowserContext>();
  // One real sign-in per user; later contexts start from its cookies (bcrypt and the login page
  // would otherwise cost seconds per test).
  const sessions = new Map<string, Awaited<ReturnType<BrowserContext["storageState"]>>>();
  const open = (page: Page, path: string) => openHydrated(page, `${stack.url}${path}`);
  return {
    ...base,
    open,
    async newContext(opts = {}) {
      const context = await browser.newContext(opts);
      context.setDefaultTimeout(20_000);
      contexts.add(context);
      return context;
    },
    async signIn(context, who) {
      const saved = sessions.get(who.email);
      if (saved) await context.addCookies(saved.cookies);
      const page = await context.newPage();
      if (saved) {
        await open(page, "/");
        await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
        return page;
      }
      await open(page, "/login");
      await page.getByLabel("E-mail").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
      sessions.set(who.email, await context.storageState());
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await base.close();
    },
  };
}

/**
 * One console session for the whole test file: registers its beforeAll (start, then `seed`) and
 * afterAll, and returns the session, whose fields are filled in once beforeAll has run. A browser
 * step on a shared 2-core machine can be slow: `testTimeout` (90 s unless given) is per test, and
 * each step still waits only for what it needs.
 */
export function useConsoleSession(opts: { testTimeout?: number; seed?: (s: ConsoleSession) => Promise<unknown> } = {}): ConsoleSession {
  vi.setConfig({ testTimeout: opts.testTimeout ?? 90_000 });
  const session = {} as ConsoleSession;
  beforeAll(async () => {
    Object.assign(session, await startConsoleSession());
    await opts.seed?.(session);
  }, 400_000);
  afterAll(async () => {
    await session.close?.();
  }, 60_000);
  return session;
}

/** How far the page scrolls sideways (0: it fits the window). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The outermost elements that reach past the window's right edge, for a readable failure. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && getComputedStyle(el).position !== "absolute") {
        const inside = [...el.children].filter((c) => c.getBoundingClientRect().right > window.innerWidth + 1);
        if (!inside.length) out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px) in ${el.parentElement?.tagName.toLowerCase()}.${el.parentElement?.className}`);
      }
      for (const c of el.children) walk(c);
    };
    walk(document.body);
    return out.slice(0, 5);
  });
}
