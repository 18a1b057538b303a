import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../lib/users/user-verbs";
import type { AppStack } from "../support/e2e/app-stack";
import { openHydrated, startConsoleStack, type ConsoleStack } from "../support/e2e/console-session";

/**
 * Guarantee (issue 12, item 3): whatever `callbackUrl` a link to /login carries, signing in (and
 * opening /login when already signed in) leaves the browser on the console's origin. Checked in
 * Chromium, whose URL parser is the one an attacker aims at: it drops tabs and newlines and reads
 * "\" as "/", so `/%09/evil.example` used to end on https://evil.example/. Requests to the attacker's
 * host are answered by the test (no network), so landing there is seen, not a DNS error.
 */
const USER = { email: "redirect@e2e.test", password: "redirect password for e2e" };
const EVIL = "evil.example";

// As they appear in the link's query string (the page reads them decoded once).
const BYPASSES = [
  "/%09/evil.example", // tab
  "/%0A/evil.example", // newline
  "/%0D%0A/evil.example",
  "%09//evil.example",
  "/%5Cevil.example", // backslash
  "/%5C/evil.example",
  "%5C%5Cevil.example",
  "//evil.example",
  "/.//evil.example",
  "/a/..//evil.example",
  "https://evil.example/",
  "https:%2F%2Fevil.example",
  "/%2509/evil.example", // double-encoded: a same-origin path, not a redirect
  "/%255Cevil.example",
];

let app: ConsoleStack | undefined;
let stack: AppStack;
let browser: Browser;

beforeAll(async () => {
  app = await startConsoleStack({
    worker: false,
    prepare: (env) => createUser({ ctx: env.ctx(), input: { email: USER.email, name: "redirect", password: USER.password, isSuperAdmin: true } }),
  });
  ({ stack, browser } = app);
}, 300_000);

afterAll(async () => {
  await app?.close();
}, 60_000);

/** Waits until the page has left /login (or reached the attacker), and returns where it is. */
async function settled(page: Page): Promise<URL> {
  const app = new URL(stack.url);
  await page.waitForURL((u) => u.origin !== app.origin || !u.pathname.startsWith("/login"), { waitUntil: "commit" });
  return new URL(page.url());
}

async function signInFrom(page: Page, callbackUrl: string): Promise<URL> {
  await page.context().clearCookies();
  await openHydrated(page, `${stack.url}/login?callbackUrl=${callbackUrl}`); // before hydration the form would submit as a plain GET
  await page.getByLabel("E-mail").fill(USER.email);
  await page.getByLabel("Password").fill(USER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  return settled(page);
}

describe("after sign-in, the browser stays on the console's origin", () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    await context.route((url) => url.hostname.endsWith(EVIL), (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" }));
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  // The forms observed leaving the origin, through the sign-in form (the page navigates itself).
  it.each(["/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example"])("signing in from /login?callbackUrl=%s", async (bypass) => {
    const at = await signInFrom(page, bypass);
    expect(at.origin, `ended on ${at.href}`).toBe(new URL(stack.url).origin);
  });

  // Every form, through the server's redirect of a visitor already signed in (same return path).
  it("opening /login?callbackUrl=<each bypass form> when signed in", async () => {
    for (const bypass of BYPASSES) {
      await page.goto(`${stack.url}/login?callbackUrl=${bypass}`, { waitUntil: "commit" });
      const at = await settled(page);
      expect(at.origin, `${bypass} ended on ${at.href}`).toBe(new URL(stack.url).origin);
    }
  }, 120_000); // fourteen navigations, each waiting for the page to settle: over 30 s on a busy machine

  it("still follows a genuine return path, query included", async () => {
    const at = await signInFrom(page, encodeURIComponent("/audit?q=x"));
    expect(at.pathname + at.search).toBe("/audit?q=x");
  });
});
