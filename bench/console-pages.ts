import { randomBytes } from "node:crypto";
/**
 * Console page-load benchmark (issue 13): for each main page, in Chromium against the production
 * build (`next start` + worker, MariaDB, etcd, production defaults), the cold load time (navigation
 * start to the load event) and the content-visible time (navigation start to the page's h1 being
 * shown with no loading indicator left, i.e. its data on screen), measured two ways:
 *
 * - fresh context: every run a new browser context (no HTTP cache, no renderer warmed for the site);
 * - open tab: one tab kept open with its HTTP cache disabled (an admin's running browser opening the
 *   console for the first time: every byte fetched again, but no browser start-up in the figure).
 *
 * Baseline, measured in the same run the fresh-context way: the very HTML the server sent for that
 * page with every script removed, served by a plain node:http server. It is the floor of this
 * machine and browser for a document of that size and style (parsing, style, layout, first paint),
 * so `vis / floor` is what the framework's JavaScript and the server add.
 *
 *   npx tsx bench/console-pages.ts [--runs 5]
 *
 * Prints medians and worsts per page, the median TTFB and first contentful paint, and the load
 * average; target: content visible within 300 ms on every page.
 */
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
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

/** NaN (a figure the browser did not record in that run, e.g. no paint entry yet) is left out. */
const median = (xs: number[]) => {
  const known = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return known.length ? known[Math.floor(known.length / 2)]! : NaN;
};

type Cookies = Parameters<import("playwright-core").BrowserContext["addCookies"]>[0];

async function measure(browser: Browser, url: string, cookies: Cookies, opts: { staticFloor?: boolean } = {}) {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const result = await timeNavigation(page, url, opts);
  await context.close();
  return result;
}

async function timeNavigation(page: Page, url: string, { staticFloor = false } = {}) {
  await page.goto(url, { waitUntil: "commit" });
  // Content is visible when the h1 is rendered and no loading indicator or "…" placeholder is left.
  // The scriptless floor cannot fetch what a page loads in the browser: there the h1 is enough.
  // The predicate returns the page's own clock the moment it holds: reading it afterwards with
  // page.evaluate would add a round trip to the driver (tens of ms on a loaded machine).
  const seen = await page.waitForFunction(
    (h1Only) => {
      const h1 = document.querySelector("main h1");
      if (!h1 || !(h1 as HTMLElement).offsetParent) return false;
      const at = performance.now();
      if (h1Only) return at;
      if (document.querySelector(".loading")) return false;
      return [...document.querySelectorAll("main .stat")].some((e) => e.textContent === "…") ? false : at;
    },
    staticFloor,
    { polling: "raf", timeout: 15_000 },
  );
  const visible = (await seen.jsonValue()) as number;
  await page.waitForLoadState("load");
  // TTFB (first byte of the HTML: server time) and first contentful paint (the browser's own
  // record, free of this script's polling) split "visible" into server and browser shares.
  const { load, ttfb, fcp } = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return { load: nav ? nav.loadEventEnd - nav.startTime : NaN, ttfb: nav ? nav.responseStart - nav.startTime : NaN, fcp: paint?.startTime ?? NaN };
  });
  return { load, visible, ttfb, fcp };
}

/** The server's HTML for each page with its scripts removed, served as static documents. */
async function startFloorServer(base: string, pages: string[], cookies: Cookies): Promise<{ url: string; server: Server }> {
  const cookieHeader = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const docs = new Map<string, string>();
  for (const p of pages) {
    const html = await (await fetch(`${base}${p}`, { headers: { cookie: cookieHeader } })).text();
    docs.set(p, html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "").replace(/<link\b[^>]*(?:as="script"|rel="modulepreload")[^>]*>/g, ""));
  }
  const server = createServer((req, res) => {
    const doc = docs.get(req.url ?? "");
    res.writeHead(doc ? 200 : 404, { "content-type": "text/html; charset=utf-8" }).end(doc ?? "");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as import("node:net").AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

async function main() {
  const base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-console-bench-"));
  await ensureBinaries({ mariadb: true, etcd: true, chromium: true });
  const [maria, etcd] = await Promise.all([startMariaDb({ baseDir: base, database: "mizuflow_console_bench" }), startEtcd({ baseDir: base })]);
  const prefix = `/mizuflow-console-bench-${Date.now()}/v1/`;
  let stack: Awaited<ReturnType<typeof startAppStack>> | undefined;
  let browser: Browser | undefined;
  let floorServer: Server | undefined;
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

    const floor = await startFloorServer(stack.url, PAGES, cookies);
    floorServer = floor.server;
    const tabContext = await browser.newContext();
    await tabContext.addCookies(cookies);
    const tab = await tabContext.newPage();
    const cdp = await tabContext.newCDPSession(tab);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });

    console.log(`console pages, ${RUNS} runs each way, median / worst in ms; target ${TARGET_MS} ms visible`);
    console.log("  fresh ctx: a new browser context per run; floor: the same HTML without scripts, static, fresh context;");
    console.log("  open tab: one tab kept open, HTTP cache disabled");
    const cols = ["vis med", "vis max", "floor", "vis/floor", "tab vis", "tab max", "ttfb", "fcp", "floor fcp"];
    console.log(`${"page".padEnd(36)} ${cols.map((c) => c.padStart(9)).join(" ")}`);
    let over = 0;
    let overTab = 0;
    const ratios: number[] = [];
    for (const p of PAGES) {
      await measure(browser, `${stack.url}${p}`, cookies); // warm-up: server-side caches, compiled routes
      const runs = [];
      const floors = [];
      const tabs = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await measure(browser, `${stack.url}${p}`, cookies));
        floors.push(await measure(browser, `${floor.url}${p}`, [], { staticFloor: true }));
        await tab.goto("about:blank");
        tabs.push(await timeNavigation(tab, `${stack.url}${p}`));
      }
      const vis = median(runs.map((r) => r.visible));
      const floorVis = median(floors.map((r) => r.visible));
      const tabVis = median(tabs.map((r) => r.visible));
      if (vis > TARGET_MS) over++;
      if (tabVis > TARGET_MS) overTab++;
      ratios.push(vis / floorVis);
      const ms = (x: number) => x.toFixed(0);
      const row = [
        ms(vis), ms(Math.max(...runs.map((r) => r.visible))), ms(floorVis), `${(vis / floorVis).toFixed(2)}x`,
        ms(tabVis), ms(Math.max(...tabs.map((r) => r.visible))),
        ms(median(runs.map((r) => r.ttfb))), ms(median(runs.map((r) => r.fcp))), ms(median(floors.map((r) => r.fcp))),
      ].map((x) => x.padStart(9));
      console.log(`${p.padEnd(36)} ${row.join(" ")}${vis > TARGET_MS || tabVis > TARGET_MS ? "  over target" : ""}`);
    }
    await tabContext.close();
    console.log(`median vis/floor over pages: ${median(ratios).toFixed(2)}x`);
    console.log(overTab ? `open tab: ${overTab} page(s) over the ${TARGET_MS} ms target (median)` : `open tab: every page visible within ${TARGET_MS} ms (median)`);
    console.log(over ? `fresh context: ${over} page(s) over the ${TARGET_MS} ms target (median)` : `fresh context: every page visible within ${TARGET_MS} ms (median)`);
    // The figures scale with the machine's load (the browser's parsing and hydration need CPU): print it.
    console.log(`load average (1/5/15 min): ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  } finally {
    floorServer?.close();
    await browser?.close().catch(() => {});
    await stack?.stop();
    await Promise.all([maria.stop(), etcd.stop()]).catch(() => {});
    await rm(base, { recursive: true, force: true });
  }
}

await main();
