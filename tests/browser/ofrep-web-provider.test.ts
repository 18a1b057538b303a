import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { waitForPageState } from "../support/e2e/test-page";
import type { OfrepPageState } from "./ofrep-page/app";
import { useStreamPageRig } from "./stream-page-rig";

/**
 * The published @openfeature/ofrep-web-provider, unchanged, in Chromium, with a client key against
 * the worker on another origin (CORS from the key's allowed origins). Polling is off: a value
 * committed through the service verbs (what the console's action calls) must reach the page
 * through the OFREP event stream's refetchEvaluation.
 */

const waitForState = (page: Page, what: string, ok: (s: OfrepPageState) => boolean) => waitForPageState(page, "__ofrep", what, ok);

describe("OFREP web provider in a real browser", () => {
  const rig = useStreamPageRig(path.join(import.meta.dirname, "ofrep-page", "app.ts"), async (fx) => {
    await fx.flag("checkout", "theme", "string", { production: "classic" });
    return { baseUrl: fx.url, flag: "checkout/theme" };
  });

  it("evaluates with a client key and gets a committed change through the event stream, not a poll", async () => {
    const origin = new URL(rig.pages.url).origin;
    const { key } = await createSdkKey({ ctx: rig.fx.ctx, input: { name: "spa", environment: "production", namespaces: ["checkout"], kind: "client", allowedOrigins: [origin] } });
    const page = await rig.browser.newPage();
    try {
      await page.goto(`${rig.pages.url}#${encodeURIComponent(key)}`);
      const ready = await waitForState(page, "the provider to be ready", (s) => s.ready || s.error !== null);
      expect(ready.error).toBeNull();
      expect(ready).toMatchObject({ value: "classic", reason: "STATIC", errorCode: null });
      await waitForState(page, "the event stream to open", () => (rig.fx.server()?.ofrep.events.openCount ?? 0) >= 1);

      const committedAt = Date.now();
      await rig.fx.set("checkout", "theme", "ocean");
      const changed = await waitForState(page, "the change to reach the page", (s) => s.value === "ocean");
      expect(changed.changes.at(-1)!.value).toBe("ocean");
      console.log(`commit -> web provider ConfigurationChanged: ${changed.changes.at(-1)!.at - committedAt} ms (poll interval: off)`);
      expect(changed.bulkStatuses.every((s) => s === 200 || s === 304)).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("a browser origin the key does not list cannot read evaluations", async () => {
    const { key } = await createSdkKey({ ctx: rig.fx.ctx, input: { name: "other", environment: "production", namespaces: ["checkout"], kind: "client", allowedOrigins: ["https://elsewhere.example"] } });
    const page = await rig.browser.newPage();
    try {
      await page.goto(`${rig.pages.url}#${encodeURIComponent(key)}`);
      const s = await waitForState(page, "the provider to give up or fall back", (st) => st.error !== null || (st.ready && st.errorCode !== null));
      expect(s.value === "ocean" || s.value === "classic").toBe(false);
    } finally {
      await page.close();
    }
  });
});
