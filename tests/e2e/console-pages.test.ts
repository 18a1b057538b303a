import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot } from "../support/e2e/browser";
import { ADMIN, MAIN_PAGES, REVIEWER, horizontalOverflow, overflowingElements, useConsoleSession } from "../support/e2e/console-session";

/**
 * Every main page of the console, in Chromium against the production build: it fits a 390x844
 * phone and a 1280x800 laptop without scrolling sideways, and axe-core finds no accessibility
 * violation of impact "serious" or "critical" on it (as an administrator, and as a reviewer, whose
 * pages are read-only).
 */
const s = useConsoleSession();
const DETAIL_PAGES = ["/flags/checkout/promo-banner", "/flags/checkout/new-checkout-flow?tab=history", "/flags/new", "/flags/checkout/no-such-flag"];

async function open(page: Page, path: string): Promise<void> {
  await s.open(page, path);
  await page.locator("main h1").first().waitFor();
  // Client-rendered lists (flags, audit) fill in after the first paint.
  await page.locator(".loading").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => {});
}

describe("no sideways scrolling", () => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    it(`fits every main page into ${viewport.width}x${viewport.height}`, async () => {
      const page = await s.signIn(await s.newContext({ viewport }), ADMIN);
      const wide: Record<string, string> = {};
      for (const path of [...MAIN_PAGES, ...DETAIL_PAGES]) {
        await open(page, path);
        const over = await horizontalOverflow(page);
        if (over > 0) {
          wide[path] = `${viewport.width + over} px: ${(await overflowingElements(page)).join("; ")}`;
          await screenshot(page, `too-wide-${viewport.width}-${path.replace(/\W+/g, "-")}`);
        }
      }
      expect(wide, "pages wider than the window (their width in px)").toEqual({});
    }, 120_000);
  }
});

describe("accessibility (axe-core)", () => {
  // A reviewer's menu has no SDK keys, API tokens or users pages.
  const REVIEWER_PAGES = MAIN_PAGES.filter((p) => !["/sdk-keys", "/api-tokens", "/users"].includes(p));
  for (const [who, pages] of [[ADMIN, MAIN_PAGES], [REVIEWER, REVIEWER_PAGES]] as const) {
    it(`finds no serious or critical violation on any page, as ${who.email.split("@")[0]}`, async () => {
      const page = await s.signIn(await s.newContext(), who);
      const found: string[] = [];
      for (const path of [...pages, ...DETAIL_PAGES]) {
        await open(page, path);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations) {
          if (v.impact === "serious" || v.impact === "critical") found.push(`${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
        }
      }
      expect(found).toEqual([]);
    }, 300_000);
  }
});
