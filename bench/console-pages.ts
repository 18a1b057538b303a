import { randomBytes } from "node:crypto";
/**
 * Console page-load benchmark (issue 13): for each main page, in Chromium against the production
 * build (`next start` + worker, MariaDB, etcd, production defaults), the cold load time (navigation
 * start to the load event) and the content-visible time (navigation start to the page's h1 being
 * shown with no loading indicator left, i.e. its data on screen). Cold: every run is a fresh browser
 * context (no HTTP cache), after one unmeasured warm-up of the server per page.
 *
 *   npx tsx bench/console-pages.ts [--runs 5]
 *
 * Prints the median and worst per page, the median TTFB and first contentful paint, and the load
 * average; target: content visible within 300 ms on every page.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { migrateDatabase } from "../lib/db/migrate";
import { closeDb, createDb } from "../lib/db/client";
import { seedDemo } from "../lib/seed/seed-demo";
import { ensureBinaries, startEtcd, startMariaDb } from "../scripts/lib/local-services";
import { startAppStack } from "../tests/support/e2e/app-stack";
import { launchBrowser } from "../tests/support/e2e/browser";
import { ensureE2eBuild } from "../tests/support/e2e/next-build";

const PAGES = ["/", "/flags", "/flags/checkout/new-checkout-flow", "/audit", "/realtime", "/namespaces", "/environments", "/sdk-keys", "/api-tokens", "/users", "/account"];
// A fresh password per run: the bench seeds its own throwaway database, and nothing is hard-coded.
const ADMIN = { email: "bench@console.test", password: randomBytes(18).toString("base64url") };
const TARGET_MS = 300;

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(browser: Browser, url: string, cookies: Parameters<import("playwright-core").BrowserContext["addCookies"]>[0]) {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  // Content is visible when the h1 is rendered and no loading indicator or "…" placeholder is left.
  await page.waitForFunction(
    () => {
      const h1 = document.querySelector("main h1");
      if (!h1 || !(h1 as HTMLElement).offsetParent) return false;
      if (document.querySelector(".loading")) return false;
      return ![...document.querySelectorAll("main .stat")].some((e) => e.textContent === "…");
    },
    undefined,
    { polling: "raf", timeout: 15_000 },
  );
  const visible = await page.evaluate(() => performance.now());
  await page.waitForLoadState("load");
  // TTFB (first byte of the HTML: server time) and first contentful paint (the browser's own
  // record, free of this script's polling) split "visible" into server and browser shares.
  const { load, ttfb, fcp } = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return { load: nav ? nav.loadEventEnd - nav.startTime : NaN, ttfb: nav ? nav.responseStart - nav.startTime : NaN, fcp: paint?.startTime ?? NaN };
  });
  await context.close();
  return { load, visible, ttfb, fcp };
}

async function main() {
  const base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-console-bench-"));
  await ensureBinaries({ mariadb: true, etcd: true, chromium: true });
  const [maria, etcd] = await Promise.all([startMariaDb({ baseDir: base, database: "mizuflow_console_bench" }), startEtcd({ baseDir: base })]);
  const prefix = `/mizuflow-console-bench-${Date.now()}/v1/`;
  let stack: Awaited<ReturnType<typeof startAppStack>> | undefined;
  let browser: Browser | undefined;
  try {
    await migrateDatabase(maria.url);
    const db = createDb(maria.url, 4);
    await seedDemo({ db, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
    await closeDb(db);
    await ensureE2eBuild((m) => console.log(m));
    stack = await startAppStack({ databaseUrl: maria.url, etcdEndpoints: etcd.endpoints, etcdPrefix: prefix });
    browser = await launchBrowser();
    const login = await browser.newContext();
    const page = await login.newPage();
    await page.goto(`${stack.url}/login`);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    const { cookies } = await login.storageState();
    await login.close();

    console.log(`console pages, ${RUNS} cold runs each (fresh browser context), median / worst in ms; target ${TARGET_MS} ms visible`);
    console.log(`${"page".padEnd(36)} ${"load med".padStart(9)} ${"load max".padStart(9)} ${"vis med".padStart(8)} ${"vis max".padStart(8)} ${"ttfb med".padStart(9)} ${"fcp med".padStart(8)}`);
    let over = 0;
    for (const p of PAGES) {
      await measure(browser, `${stack.url}${p}`, cookies); // warm-up: server-side caches, compiled routes
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, `${stack.url}${p}`, cookies));
      const load = runs.map((r) => r.load);
      const vis = runs.map((r) => r.visible);
      const ok = median(vis) <= TARGET_MS;
      if (!ok) over++;
      const ttfb = median(runs.map((r) => r.ttfb));
      const fcp = median(runs.map((r) => r.fcp));
      console.log(`${p.padEnd(36)} ${median(load).toFixed(0).padStart(9)} ${Math.max(...load).toFixed(0).padStart(9)} ${median(vis).toFixed(0).padStart(8)} ${Math.max(...vis).toFixed(0).padStart(8)} ${ttfb.toFixed(0).padStart(9)} ${fcp.toFixed(0).padStart(8)}${ok ? "" : "  over target"}`);
    }
    console.log(over ? `${over} page(s) over the ${TARGET_MS} ms target (median)` : `every page visible within ${TARGET_MS} ms (median)`);
    // The figures scale with the machine's load (the browser's parsing and hydration need CPU): print it.
    console.log(`load average (1/5/15 min): ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  } finally {
    await browser?.close().catch(() => {});
    await stack?.stop();
    await Promise.all([maria.stop(), etcd.stop()]).catch(() => {});
    await rm(base, { recursive: true, force: true });
  }
}

await main();
