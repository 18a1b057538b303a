import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "../support/api-test-harness";
import { ALL_HANDLERS } from "../../lib/http/api-registry";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { launchBrowser } from "../support/e2e/browser";
import { bundlePage, readPageState, waitForPageState } from "../support/e2e/test-page";
import { waitFor } from "../support/test-env";
import type { OwnPageState } from "./ofrep-own-page/app";
import { startPageServer, type PageServer } from "./page-server";

/**
 * MizuFlow's own OpenFeature web provider over OFREP (sdk/src/openfeature/ofrep-web-provider.ts)
 * in Chromium, against the worker on another origin, with nothing but a client key made through
 * the admin API (no server key exists in this test). Flags and changes go through the worker's
 * admin API too, as automation or the console would make them.
 */

const readState = (page: Page) => readPageState<OwnPageState>(page, "__own");
const waitForState = (page: Page, what: string, ok: (s: OwnPageState) => boolean) => waitForPageState(page, "__own", what, ok);

const bulkRequests = (s: OwnPageState) => s.requests.filter((r) => new URL(r.url).pathname === "/ofrep/v1/evaluate/flags");

describe("MizuFlow's own OFREP web provider in a real browser, client key only", () => {
  let h: ApiHarness;
  let server: StreamServer;
  let base: string;
  let token: string;
  let pages: PageServer;
  let browser: Browser;
  let page: Page;

  async function admin(method: string, p: string, json?: unknown) {
    const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { "content-type": "application/json" }) }, body: json === undefined ? undefined : JSON.stringify(json) });
    const body = (await res.json()) as Record<string, any>;
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async function clientKey(allowedOrigins: string[]): Promise<string> {
    const made = await admin("POST", "/api/v1/sdk-keys", { name: `web-${allowedOrigins.length}-${Date.now()}`, environment: "production", namespaces: ["checkout"], kind: "client", allowedOrigins });
    expect(made.sdkKey.kind).toBe("client");
    return made.key as string;
  }

  beforeAll(async () => {
    const [harness, bundle] = await Promise.all([startApiHarness(), bundlePage(path.join(import.meta.dirname, "ofrep-own-page", "app.ts"))]);
    h = harness;
    token = await h.token({ role: "admin", namespaces: null, superAdmin: true });
    server = await startStreamServer({ db: h.env.db, root: h.env.etcd.root, adminApi: ALL_HANDLERS, heartbeatMs: 1_000 });
    base = `http://127.0.0.1:${server.port}`;
    await admin("POST", "/api/v1/environments", { key: "production", name: "Production" });
    for (const ns of ["checkout", "search"]) await admin("POST", "/api/v1/namespaces", { key: ns, name: ns });
    await admin("POST", "/api/v1/flags", { namespace: "checkout", key: "new-flow", type: "boolean", values: { production: true } });
    await admin("POST", "/api/v1/flags", { namespace: "checkout", key: "theme", type: "string", values: { production: "classic" } });
    await admin("POST", "/api/v1/flags", { namespace: "checkout", key: "limit", type: "number", values: { production: 3 } });
    await admin("POST", "/api/v1/flags", { namespace: "checkout", key: "config", type: "json", values: { production: { columns: 2 } } });
    await admin("POST", "/api/v1/flags", { namespace: "search", key: "secret", type: "string", values: { production: "hidden" } });
    await waitFor(() => server.hub.document("production", "search", "secret")?.value === "hidden", "the worker's hub to hold the flags");
    pages = await startPageServer({ bundle, config: { baseUrl: base } });
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${pages.url}#${encodeURIComponent(await clientKey([new URL(pages.url).origin]))}`);
  }, 90_000);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await pages?.close();
    await server?.close();
    await h?.close();
  });

  it("serves typed values, reasons and error codes from one bulk evaluation, and reports its revision, with the client key alone", async () => {
    const s = await waitForState(page, "the provider to be ready", (st) => st.ready || st.error !== null);
    expect(s.error).toBeNull();
    expect(s.reads.flag).toMatchObject({ value: true, reason: "STATIC", errorCode: null });
    expect(s.reads.theme).toMatchObject({ value: "classic", reason: "STATIC", errorCode: null });
    expect(s.reads.bare).toMatchObject({ value: "classic", errorCode: null });
    expect(s.reads.limit).toMatchObject({ value: 3, errorCode: null });
    expect(s.reads.config).toMatchObject({ value: { columns: 2 }, errorCode: null });
    // Errors never throw: the default comes back with the OpenFeature error code.
    expect(s.reads.mismatch).toMatchObject({ value: 42, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(s.reads.missing).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(s.reads.outOfScope).toMatchObject({ value: "code-default", reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    // Only OFREP and the report endpoint were used; never the flag stream or snapshot.
    for (const r of s.requests) expect(["/ofrep/v1/evaluate/flags", "/api/sdk/v1/report"]).toContain(new URL(r.url).pathname);
    expect(bulkRequests(s).map((r) => r.status)).toEqual([200]);
    // The revision report went cross-origin with the client key, was readable (CORS) and recorded.
    const reported = await waitFor(() => server.core.reports.table.list().find((e) => e.environment === "production" && e.state === "ready"), "the page's revision report");
    expect(reported.revision).toBeGreaterThan(0);
    const reports = (await waitForState(page, "a report answer", (st) => st.requests.some((r) => r.url.includes("/api/sdk/v1/report")))).requests.filter((r) => r.url.includes("/api/sdk/v1/report"));
    expect(reports[0]!.status).toBe(204);
  });

  it("a change made through the admin API reaches the provider through the event stream (no poll), as ConfigurationChanged naming the flag", async () => {
    await waitFor(() => server.ofrep.events.openCount >= 1, "the OFREP event stream to open");
    // Quiet for a while: nothing polls.
    await new Promise((r) => setTimeout(r, 1_500));
    const before = bulkRequests((await readState(page))!).length;
    expect(before).toBe(1);
    const committedAt = Date.now();
    await admin("PUT", "/api/v1/flags/checkout/theme/values/production", { value: "ocean" });
    const s = await waitForState(page, "the change to reach the page", (st) => st.changes.some((c) => c.theme === "ocean"));
    const change = s.changes.find((c) => c.theme === "ocean")!;
    expect(change.flagsChanged).toEqual(["checkout/theme"]);
    expect(s.reads.theme).toMatchObject({ value: "ocean", errorCode: null });
    // Exactly one re-fetch, caused by the refetchEvaluation event.
    expect(bulkRequests(s).length).toBe(before + 1);
    expect(bulkRequests(s).at(-1)!.status).toBe(200);
    console.log(`admin API commit -> own OFREP web provider ConfigurationChanged: ${change.at - committedAt} ms (no polling)`);
  });

  it("re-evaluates when the static context changes (the new context is sent)", async () => {
    const before = bulkRequests((await readState(page))!).length;
    await page.evaluate(() => (window as unknown as { __setContext: (c: Record<string, string>) => Promise<void> }).__setContext({ targetingKey: "second-user", plan: "free" }));
    const s = await waitForState(page, "the context change to settle", (st) => st.contextChanged >= 1);
    const last = bulkRequests(s).at(-1)!;
    expect(bulkRequests(s).length).toBe(before + 1);
    expect(last.status).toBe(200);
    expect(JSON.parse(last.body!)).toEqual({ context: { targetingKey: "second-user", plan: "free" } });
    expect(s.reads.theme).toMatchObject({ value: "ocean", errorCode: null });
  });

  it("a client key that does not list the page's origin gets nothing: defaults with an error code, never a throw", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${pages.url}#${encodeURIComponent(await clientKey(["https://elsewhere.example"]))}`);
      const s = await waitForState(other, "the provider to fail", (st) => st.error !== null);
      expect(s.ready).toBe(false);
      expect(s.reads.theme!.value).toBe("code-default");
      expect(s.reads.theme!.errorCode).not.toBeNull();
    } finally {
      await other.close();
    }
  });
});
