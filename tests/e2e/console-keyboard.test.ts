import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { getFlag } from "../../lib/flags/get-flag";
import { ADMIN, useConsoleSession } from "../support/e2e/console-session";

/**
 * The three everyday tasks done with the keyboard alone (Tab, Shift+Tab, arrows, Space, Enter and
 * typing; no clicks), in Chromium against the production build: create a flag, change a value
 * through its review, and roll it back. Each ends in the database, not just on the screen.
 */
const s = useConsoleSession();

/** Presses Tab until the focused element matches; fails if it is not reachable within `max` stops. */
async function tabTo(page: Page, what: string, matches: (el: Element) => boolean, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(`(${matches.toString()})(document.activeElement)`)) return;
  }
  throw new Error(`${what} is not reachable with Tab`);
}

const byText = (text: string) => `(el) => el && el.textContent.trim() === ${JSON.stringify(text)}`;
const focusIs = (page: Page, what: string, test: string) => tabTo(page, what, new Function("el", `return (${test})(el)`) as (el: Element) => boolean);

describe("keyboard only", () => {
  it("creates a flag, changes its value through the review, and rolls it back", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags");
    await page.getByRole("link", { name: /new-checkout-flow/ }).waitFor();

    // Create.
    await focusIs(page, "the Create flag link", byText("Create flag"));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: /Create/ }).waitFor();
    await focusIs(page, "the Key field", `(el) => el && el.name === "key"`);
    await page.keyboard.type("keyboard-flag");
    await focusIs(page, "the Create flag button", `(el) => el && el.tagName === "BUTTON" && el.textContent.trim() === "Create flag"`);
    await page.keyboard.press("Enter");
    await page.waitForURL("**/flags/checkout/keyboard-flag");

    // Change: switch on in development, review, reason, Enter saves.
    await focusIs(page, "the development switch", `(el) => el && el.getAttribute("aria-label") === "New value in development"`);
    await page.keyboard.press("Space");
    await focusIs(page, "Review change", byText("Review change"));
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("reason-development");
    await page.keyboard.type("turned on from the keyboard");
    await page.keyboard.press("Enter");
    await page.getByTestId("toast-ok").filter({ hasText: "in development is now true" }).waitFor();
    const changed = await getFlag({ ctx: s.env.ctx(), input: { namespace: "checkout", key: "keyboard-flag" } });
    expect(changed.values.development).toMatchObject({ value: true, version: 2 });

    // Roll back: History tab (arrow keys between tabs), pick v1, confirm.
    await focusIs(page, "the Values tab", `(el) => el && el.getAttribute("role") === "tab" && el.getAttribute("aria-selected") === "true"`);
    await page.keyboard.press("End");
    await page.getByRole("heading", { name: "Roll back a value" }).waitFor();
    await focusIs(page, "the version select", `(el) => el && el.id === "rb-version"`);
    await expect.poll(() => page.locator("#rb-version option").count()).toBeGreaterThan(1);
    await page.keyboard.press("ArrowDown");
    await focusIs(page, "the roll back button", `(el) => el && el.tagName === "BUTTON" && el.textContent.startsWith("Roll back development to v1")`);
    await page.keyboard.press("Enter");
    await page.getByTestId("toast-ok").filter({ hasText: "back to the value of version 1" }).waitFor();
    const rolledBack = await getFlag({ ctx: s.env.ctx(), input: { namespace: "checkout", key: "keyboard-flag" } });
    expect(rolledBack.values.development).toMatchObject({ value: false, version: 3 });
  });
});
