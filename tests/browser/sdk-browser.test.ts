import { existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStreamFixture, type StreamFixture } from "../../sdk/tests/support/stream-fixture";
import { startPageServer, type PageServer } from "./page-server";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/support/browser";

/**
 * The SDK in a real browser (Debian's chromium, never a downloaded one): the page bundles the
 * universal SDK entry and the OpenFeature web provider with esbuild, connects with the browser's
 * native EventSource to the real stream server (cross-origin, so CORS is exercised too), and must
 * see a change committed through the service verbs, resume after a server restart, and, reloaded
 * while the server is down, serve its localStorage snapshot and converge when the server returns.
 * It also reports the revision it applied (cross-origin POST /api/sdk/v1/report).
 */

interface PageLog {
  events: { type: string; flagsChanged?: string[]; at: number }[];
  value: boolean | null;
  reason: string | null;
  revision: number;
  status: string;
  error: string | null;
}

const readLog = (page: Page) => page.evaluate(() => (window as unknown as { __mizuflow?: PageLog }).__mizuflow ?? null);

async function waitForLog(page: Page, what: string, ok: (log: PageLog) => boolean, timeoutMs = 10_000): Promise<PageLog> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readLog(page);
    if (log && ok(log)) return log;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; page state: ${JSON.stringify(log)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitForValue<T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

if (!existsSync(CHROMIUM)) {
  describe("SDK in a real browser", () => {
    it.skip(`skipped: ${CHROMIUM} is not installed (this test never downloads a browser)`, () => {});
  });
} else {
  describe("SDK in a real browser (chromium, native EventSource, OpenFeature web provider)", () => {
    let fx: StreamFixture;
    let pages: PageServer;
    let browser: Browser;
    let bundle: string;

    beforeAll(async () => {
      const [fixture, built] = await Promise.all([
        startStreamFixture(),
        build({
          entryPoints: [path.join(import.meta.dirname, "page", "app.ts")],
          bundle: true,
          format: "esm",
          platform: "browser",
          target: "es2022",
          write: false,
          logLevel: "silent",
        }),
      ]);
      fx = fixture;
      bundle = built.outputFiles[0]!.text;
      await fx.flag("checkout", "new-flow", "boolean", { production: true });
      await fx.flag("search", "hidden", "boolean", { production: true });
      const sdkKey = await fx.sdkKey(["checkout"]);
      pages = await startPageServer({ bundle, config: { streamUrl: fx.url, sdkKey, flag: "new-flow", defaultNamespace: "checkout" } });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await pages?.close();
      await fx?.cleanup();
    });

    it("bundles for the browser without Node built-ins", () => {
      expect(bundle).not.toMatch(/node:fs|require\(["']fs["']\)/);
    });

    it("sees the snapshot and a change made through the service verbs, resumes after a server restart, and serves its localStorage snapshot while the server is down", async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      const streamRequests: { url: string; headers: Record<string, string> }[] = [];
      const reportStatuses: number[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("response", (r) => {
        if (r.url().includes("/api/sdk/v1/report")) reportStatuses.push(r.status());
      });
      page.on("request", (r) => {
        if (r.url().includes("/api/sdk/v1/stream")) streamRequests.push({ url: r.url(), headers: r.headers() });
      });
      await page.goto(pages.url);

      const initial = await waitForLog(page, "the first snapshot", (l) => l.value === true && l.status === "READY");
      expect(initial.reason).toBe("STATIC");
      const first = streamRequests[0]!;
      expect(new URL(first.url).searchParams.get("sdk_key")).toMatch(/^mf_sdk_/); // native EventSource: no custom headers
      expect(first.headers.authorization).toBeUndefined();

      await fx.set("checkout", "new-flow", false);
      const changed = await waitForLog(page, "the change to reach the page", (l) => l.value === false);
      const event = changed.events.find((e) => e.type === "PROVIDER_CONFIGURATION_CHANGED");
      expect(event?.flagsChanged).toEqual(expect.arrayContaining(["checkout/new-flow", "new-flow"]));
      expect(await page.textContent("#value")).toBe("false");

      // The page reports the revision it applied, cross-origin, and the server records it under
      // the key's environment and scope (what the console's "N of M clients" counts).
      const reported = await waitForValue("the browser's revision report", () =>
        fx.server()!.core.reports.table.list().find((e) => e.revision === changed.revision),
      );
      expect(reported).toMatchObject({ environment: "production", scope: "checkout", state: "ready" });
      expect(reportStatuses.length).toBeGreaterThan(0);
      expect(reportStatuses.every((s) => s === 204)).toBe(true);

      // Server restart while the page stays open: the SDK reopens its native EventSource itself
      // and resumes with ?last_event_id= (a new EventSource instance does not carry it).
      await fx.stop();
      await waitForLog(page, "STALE while the server is down", (l) => l.status === "STALE");
      await fx.set("checkout", "new-flow", true);
      await fx.start();
      await waitForLog(page, "convergence after the restart", (l) => l.value === true && l.status === "READY");
      expect(streamRequests.some((r) => new URL(r.url).searchParams.has("last_event_id"))).toBe(true);
      await page.waitForTimeout(100); // let the debounced localStorage write land

      // Reload while the server is down: the page serves its localStorage snapshot, then converges.
      await fx.stop();
      await page.reload();
      const offline = await waitForLog(page, "the localStorage snapshot", (l) => l.value === true && l.status === "STALE");
      expect(offline.reason).toBe("CACHED");
      await fx.set("checkout", "new-flow", false);
      await fx.start();
      const back = await waitForLog(page, "convergence after the server returns", (l) => l.value === false && l.status === "READY");
      expect(back.reason).toBe("STATIC");
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
