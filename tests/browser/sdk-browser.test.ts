import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { PageLog } from "./page/app";
import { useStreamPageRig } from "./stream-page-rig";
import { waitForPageState } from "../support/e2e/test-page";
import { waitFor } from "../support/test-env";

/**
 * The SDK in a real browser (Debian's chromium, never a downloaded one): the page bundles the
 * universal SDK entry and the OpenFeature web provider with esbuild, connects with the browser's
 * native EventSource to the real stream server (cross-origin, so CORS is exercised too), and must
 * see a change committed through the service verbs, resume after a server restart, and, reloaded
 * while the server is down, serve its localStorage snapshot and converge when the server returns.
 * It also reports the revision it applied (cross-origin POST /api/sdk/v1/report).
 */

const waitForLog = (page: Page, what: string, ok: (log: PageLog) => boolean) => waitForPageState(page, "__mizuflow", what, ok);

// No skip when Chromium is missing: launchBrowser() installs it (as root) or fails with the command.
describe("SDK in a real browser (chromium, native EventSource, OpenFeature web provider)", () => {
  const rig = useStreamPageRig(path.join(import.meta.dirname, "page", "app.ts"), async (fx) => {
    await fx.flag("checkout", "new-flow", "boolean", { production: true });
    await fx.flag("search", "hidden", "boolean", { production: true });
    const sdkKey = await fx.sdkKey(["checkout"]);
    return { streamUrl: fx.url, sdkKey, flag: "new-flow", defaultNamespace: "checkout" };
  });

  it("bundles for the browser without Node built-ins", () => {
    expect(rig.bundle).not.toMatch(/node:fs|require\(["']fs["']\)/);
  });

  it("sees the snapshot and a change made through the service verbs, resumes after a server restart, and serves its localStorage snapshot while the server is down", async () => {
    const page = await rig.browser.newPage();
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
    await page.goto(rig.pages.url);

    const initial = await waitForLog(page, "the first snapshot", (l) => l.value === true && l.status === "READY");
    expect(initial.reason).toBe("STATIC");
    const first = streamRequests[0]!;
    expect(new URL(first.url).searchParams.get("sdk_key")).toMatch(/^mf_sdk_/); // native EventSource: no custom headers
    expect(first.headers.authorization).toBeUndefined();

    await rig.fx.set("checkout", "new-flow", false);
    const changed = await waitForLog(page, "the change to reach the page", (l) => l.value === false);
    const event = changed.events.find((e) => e.type === "PROVIDER_CONFIGURATION_CHANGED");
    expect(event?.flagsChanged).toEqual(expect.arrayContaining(["checkout/new-flow", "new-flow"]));
    expect(await page.textContent("#value")).toBe("false");

    // The page reports the revision it applied, cross-origin, and the server records it under
    // the key's environment and scope (what the console's "N of M clients" counts).
    const reported = await waitFor(() => rig.fx.server()!.core.reports.table.list().find((e) => e.revision === changed.revision), "the browser's revision report");
    expect(reported).toMatchObject({ environment: "production", scope: "checkout", state: "ready" });
    // The server records the report before it answers: the browser's side of it may come later.
    await waitFor(() => reportStatuses.length > 0, "the report's answer in the page");
    expect(reportStatuses.every((s) => s === 204)).toBe(true);

    // Server restart while the page stays open: the SDK reopens its native EventSource itself
    // and resumes with ?last_event_id= (a new EventSource instance does not carry it).
    await rig.fx.stop();
    await waitForLog(page, "STALE while the server is down", (l) => l.status === "STALE");
    await rig.fx.set("checkout", "new-flow", true);
    await rig.fx.start();
    const converged = await waitForLog(page, "convergence after the restart", (l) => l.value === true && l.status === "READY");
    expect(streamRequests.some((r) => new URL(r.url).searchParams.has("last_event_id"))).toBe(true);
    // The reload below must find the converged state in localStorage: wait for the debounced write
    // itself (a fixed pause lost that race on a loaded machine).
    await page.waitForFunction((revision) => {
      const raw = localStorage.getItem("mizuflow:snapshot");
      return raw !== null && (JSON.parse(raw) as { revision: number }).revision >= revision;
    }, converged.revision);

    // Reload while the server is down: the page serves its localStorage snapshot, then converges.
    await rig.fx.stop();
    await page.reload();
    const offline = await waitForLog(page, "the localStorage snapshot", (l) => l.value === true && l.status === "STALE");
    expect(offline.reason).toBe("CACHED");
    await rig.fx.set("checkout", "new-flow", false);
    await rig.fx.start();
    const back = await waitForLog(page, "convergence after the server returns", (l) => l.value === false && l.status === "READY");
    expect(back.reason).toBe("STATIC");
    expect(errors).toEqual([]);
    await page.close();
  });
});
