import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../lib/seed/seed-demo";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { getFlag } from "../../lib/flags/get-flag";
import { createUser } from "../../lib/users/user-verbs";
import { createClient } from "../../sdk/src/node";
import type { MizuFlowClient } from "../../sdk/src/index";
import { snapshotDb } from "../support/console-fixtures";
import { waitFor, type TestEnv } from "../support/test-env";
import type { AppStack } from "../support/e2e/app-stack";
import { screenshot } from "../support/e2e/browser";
import { openHydrated, startConsoleStack, type ConsoleStack } from "../support/e2e/console-session";

/**
 * The console end to end, in Debian's Chromium against the real stack (production build of the app,
 * the worker, MariaDB, etcd) and a real SDK client:
 *
 *  1. an administrator signs in, creates a namespace, an environment and a flag, grants roles and
 *     creates an SDK key; toggling the flag (after a diff preview) reaches the SDK client and the
 *     realtime panel; a concurrent change gives the plain 409 message; rollback restores the old
 *     value as a new version, which reaches the SDK too;
 *  2. a reviewer reads the diff in the audit history and exports it;
 *  3. a viewer sees everything read-only, and a write attempted with their session is refused by
 *     the server and changes nothing.
 *
 * Screenshots of the main pages go to test-artifacts/.
 */
const ADMIN = { email: "admin@e2e.test", password: "admin password for e2e" };
const REVIEWER = { email: "reviewer@e2e.test", password: "reviewer password e2e" };
const VIEWER = { email: "viewer@e2e.test", password: "viewer password for e2e" };
const NS = "e2e-shop";
const ENV = "e2e-canary";
const FLAG = "new-checkout";

let app: ConsoleStack | undefined;
let env: TestEnv;
let stack: AppStack;
let browser: Browser;
let sdk: MizuFlowClient | undefined;

beforeAll(async () => {
  app = await startConsoleStack({
    async prepare(e) {
      await seedDemo({ db: e.db, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
      for (const u of [REVIEWER, VIEWER]) await createUser({ ctx: e.ctx(), input: { email: u.email, name: u.email.split("@")[0]!, password: u.password } });
    },
  });
  ({ env, stack, browser } = app);
}, 300_000);

afterAll(async () => {
  await sdk?.close().catch(() => {});
  await app?.close();
}, 60_000);

// Pages of the running test, so a failure leaves screenshots of what the browser showed.
const openContexts = new Set<BrowserContext>();
// Anything the nonce-based CSP (proxy.ts) blocked: the console must need nothing it refuses.
const cspViolations: string[] = [];

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail") {
    let i = 0;
    for (const c of openContexts) for (const p of c.pages()) await screenshot(p, `failure-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}-${i++}`).catch(() => {});
  }
  for (const c of openContexts) await c.close().catch(() => {});
  openContexts.clear();
  const blocked = cspViolations.splice(0);
  expect(blocked, "Content-Security-Policy violations in the browser console").toEqual([]);
});

async function newContext(opts: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(opts);
  context.setDefaultTimeout(10_000);
  context.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${m.page()?.url() ?? "?"}: ${m.text()}`);
  });
  openContexts.add(context);
  return context;
}

async function signIn(context: BrowserContext, who: { email: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.waitForURL(/\/login/);
  await page.locator("html[data-hydrated]").waitFor(); // a submit before hydration would be a plain GET form
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  expect(await page.getByTestId("signed-in-as").textContent()).toBe(who.email);
  return page;
}

/** Follows a link and waits for the page it leads to (its h1), so later steps act on the new page. */
async function follow(page: Page, link: string, heading: string = link): Promise<void> {
  await page.getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor();
}

const okToast = (page: Page, text: string | RegExp) => page.getByTestId("toast-ok").filter({ hasText: text }).first().waitFor();

describe("console, end to end", () => {
  it("an administrator builds a flag, toggles it into a live SDK, sees the conflict message and rolls back", async () => {
    const context = await newContext();
    // Sign-in errors are shown in words.
    const login = await context.newPage();
    await openHydrated(login, `${stack.url}/login`);
    await login.getByLabel("E-mail").fill(ADMIN.email);
    await login.getByLabel("Password").fill("not the password");
    await login.getByRole("button", { name: "Sign in" }).click();
    await login.getByRole("alert").filter({ hasText: "Wrong e-mail address or password." }).waitFor();
    await screenshot(login, "01-login");
    await login.close();

    const page = await signIn(context, ADMIN);
    await screenshot(page, "02-dashboard");

    // Namespace and environment.
    await follow(page, "Namespaces");
    await page.getByLabel("Key", { exact: true }).fill(NS);
    await page.getByLabel("Name", { exact: true }).fill("E2E shop");
    await page.getByRole("button", { name: "Create namespace" }).click();
    await okToast(page, `Created namespace ${NS}`);
    await page.getByRole("cell", { name: NS, exact: true }).waitFor();
    await screenshot(page, "03-namespaces");

    await follow(page, "Environments");
    await page.getByLabel("Key", { exact: true }).fill(ENV);
    await page.getByLabel("Name", { exact: true }).fill("E2E canary");
    await page.getByRole("button", { name: "Create environment" }).click();
    await okToast(page, `Created environment ${ENV}`);

    // Flag.
    await follow(page, "Flags");
    await follow(page, "Create flag");
    await page.getByLabel("Namespace").selectOption(NS);
    await page.getByLabel("Key", { exact: true }).fill(FLAG);
    await page.getByLabel("Description").fill("One-page checkout, e2e");
    await page.getByRole("button", { name: "Create flag" }).click();
    await page.waitForURL(`**/flags/${NS}/${FLAG}`);
    await page.getByRole("heading", { name: `${NS}/${FLAG}` }).waitFor();

    // Roles for the other two people, through the users page.
    await follow(page, "Users & roles");
    for (const [who, role] of [[REVIEWER, "reviewer"], [VIEWER, "viewer"]] as const) {
      const section = page.getByTestId(`user-${who.email}`);
      await section.getByLabel("Namespace", { exact: true }).selectOption(NS);
      await section.getByLabel("Role", { exact: true }).selectOption(role);
      await section.getByRole("button", { name: "Grant role" }).click();
      await okToast(page, `Granted ${role} in ${NS}`);
      await section.getByText(`${role} in ${NS}`).waitFor();
    }
    await screenshot(page, "04-users");

    // An SDK key, shown once, and a real SDK client on it.
    await follow(page, "SDK keys");
    await page.getByLabel("Name", { exact: true }).fill("e2e storefront");
    await page.getByLabel("Environment").selectOption(ENV);
    await page.getByRole("checkbox", { name: NS, exact: true }).check();
    await page.getByRole("button", { name: "Create SDK key" }).click();
    const sdkKey = (await page.getByTestId("secret-value").textContent())!.trim();
    expect(sdkKey.length).toBeGreaterThan(20);
    await screenshot(page, "05-sdk-key-created");
    sdk = createClient({ url: stack.url, sdkKey, initialBackoffMs: 100, logger: { warn: () => {}, error: () => {} } });
    await sdk.ready({ live: true, timeoutMs: 15_000 });
    // The new flag reaches etcd through the relay; under load it may not be in the first snapshot
    // yet (the getter would then return its default), so wait for the flag itself first.
    await waitFor(() => sdk!.getDetails(NS, FLAG, "boolean", true).errorCode !== "FLAG_NOT_FOUND" || undefined, "the SDK to hold the new flag", 15_000);
    expect(sdk.getBoolean(NS, FLAG, true)).toBe(false);

    // The realtime panel, open in a second tab while the flag changes.
    const realtime = await context.newPage();
    await openHydrated(realtime, `${stack.url}/realtime`);
    await realtime.getByTestId("rt-status").filter({ hasText: "live" }).waitFor();

    // Toggle with a diff preview; the SDK and the realtime panel see the change.
    await openHydrated(page, `${stack.url}/flags/${NS}/${FLAG}`);
    const card = page.getByTestId(`env-${ENV}`);
    await card.getByRole("switch", { name: `New value in ${ENV}` }).click();
    await card.getByRole("button", { name: "Review change" }).click();
    const diff = card.getByTestId("json-diff");
    await expect.poll(() => diff.textContent()).toMatch(/1 line\(s\) removed, 1 line\(s\) added.*false.*true/s);
    await screenshot(page, "06-flag-diff-preview");
    await card.getByRole("button", { name: "Save change" }).click();
    await okToast(page, `${NS}/${FLAG} in ${ENV} is now true (version 2)`);
    await waitFor(() => sdk!.getBoolean(NS, FLAG, false), "the SDK client to receive true", 10_000);
    await realtime.getByTestId("rt-events").filter({ hasText: `${ENV}/${NS}/${FLAG}` }).waitFor({ timeout: 10_000 });
    await expect.poll(async () => Number(await realtime.getByTestId("rt-open-streams").textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => realtime.getByTestId("rt-percentiles").textContent(), { timeout: 10_000 }).toMatch(/p50 \d/);
    await screenshot(realtime, "07-realtime");
    await screenshot(page, "08-flag-detail");

    // Someone else changes staging while we edit it: a clear 409, nothing overwritten.
    const staging = page.getByTestId("env-staging");
    await staging.getByRole("switch", { name: "New value in staging" }).click();
    await staging.getByRole("button", { name: "Review change" }).click();
    await setFlagValue({ ctx: env.ctx(), input: { namespace: NS, key: FLAG, environment: "staging", value: true, reason: "someone else" } });
    await staging.getByRole("button", { name: "Save change" }).click();
    // Their value is shown at once (the card moves to v2); the user's edit is kept until discarded.
    await staging.getByRole("alert").filter({ hasText: "Someone else saved v2 while you were editing." }).waitFor();
    await screenshot(page, "09-conflict");
    await staging.getByRole("button", { name: "Discard my edit" }).click();
    await staging.getByText("v2", { exact: true }).waitFor();

    // Rollback from the flag's history: a new version with the old value, delivered like any change.
    await page.getByRole("tab", { name: "History" }).click();
    const row = page.getByRole("row").filter({ hasText: `set ${NS}/${FLAG} in ${ENV} from false to true` });
    await row.getByRole("button", { name: /Show diff/ }).click();
    await page.getByRole("button", { name: `Roll back ${ENV} to before this change (version 1)` }).click();
    await page.getByRole("button", { name: `Roll back ${ENV} to v1` }).click();
    await okToast(page, `back to the value of version 1; it is now version 3`);
    await waitFor(() => sdk!.getBoolean(NS, FLAG, true) === false, "the SDK client to receive the rollback", 10_000);
    await page.getByRole("row").filter({ hasText: "Rollback to version 1" }).first().waitFor();
    await screenshot(page, "10-flag-history");
    const flag = await getFlag({ ctx: env.ctx(), input: { namespace: NS, key: FLAG } });
    expect(flag.values[ENV]).toMatchObject({ value: false, version: 3 });

    // Sign out ends the session.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${stack.url}/flags`);
    await page.waitForURL(/\/login\?callbackUrl=%2Fflags/);
    await context.close();
  }, 300_000); // the longest journey (~60 s alone); in `npm test` it shares two cores with another browser file

  it("a reviewer reads the diff in the audit history and exports it", async () => {
    const context = await newContext({ acceptDownloads: true });
    const page = await signIn(context, REVIEWER);
    await follow(page, "Audit history");
    await page.getByLabel("Flag key").fill(FLAG);
    await page.getByLabel("Environment").selectOption(ENV);
    await page.getByRole("button", { name: "Apply filters" }).click();
    const row = page.getByRole("row").filter({ hasText: `set ${NS}/${FLAG} in ${ENV} from false to true` });
    // The filtered list replaces the unfiltered one after the URL changes; a click that lands on the
    // old list is lost with it, so wait for the new URL and re-click until the diff is open.
    await page.waitForURL(new RegExp(FLAG));
    const toggle = row.getByRole("button", { name: /Show diff/ });
    const diff = page.getByTestId("json-diff").first();
    await expect
      .poll(
        async () => {
          if ((await toggle.getAttribute("aria-expanded", { timeout: 5_000 }).catch(() => null)) !== "true") {
            await toggle.click({ timeout: 5_000 }).catch(() => {});
          }
          return diff.textContent({ timeout: 2_000 }).catch(() => "");
        },
        { timeout: 30_000 },
      )
      .toMatch(/"value": false.*"value": true/s);
    await page.getByText("admin@e2e.test", { exact: false }).first().waitFor();
    await screenshot(page, "11-audit-diff");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^id,occurredAt,actorType/);
    expect(csv).toContain("flag_value.set");
    expect(csv).toContain("Rollback to version 1");
    const json = await page.request.get(`${stack.url}/api/console/audit/export?format=json&flag=${FLAG}`);
    expect(json.status()).toBe(200);
    const events = (await json.json()) as { action: string; namespace: string }[];
    expect(events.every((e) => e.namespace === NS)).toBe(true);
    await context.close();
  }, 60_000);

  it("a viewer cannot change anything, in the page or by calling the server", async () => {
    const context = await newContext();
    const page = await signIn(context, VIEWER);
    await page.goto(`${stack.url}/flags/${NS}/${FLAG}`);
    await page.getByText("You can read this flag; your role does not allow changing it.").waitFor();
    expect(await page.getByRole("switch").count()).toBe(0);
    expect(await page.getByRole("tab", { name: "History" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Audit history" }).count()).toBe(0);
    await screenshot(page, "12-viewer-flag");
    await page.goto(`${stack.url}/flags`);
    await page.getByRole("link", { name: FLAG }).waitFor();
    expect(await page.getByRole("link", { name: "Create flag" }).count()).toBe(0);

    // The hidden button is not the guard: the server refuses the viewer's session, and nothing changes.
    const before = await snapshotDb(env.db);
    const put = await page.request.put(`${stack.url}/api/v1/flags/${NS}/${FLAG}/values/${ENV}`, {
      data: { value: true },
      headers: { origin: stack.url },
    });
    expect(put.status()).toBe(403);
    const audit = await page.request.get(`${stack.url}/api/console/audit`);
    expect(audit.status()).toBe(403);
    expect(await snapshotDb(env.db)).toBe(before);
    await context.close();
  }, 60_000);
});
