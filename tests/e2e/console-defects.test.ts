import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { presenceKey } from "../../lib/etcd/keys";
import { archiveFlag } from "../../lib/flags/archive-flag";
import { createFlag } from "../../lib/flags/create-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { ADMIN, REVIEWER, horizontalOverflow, useConsoleSession } from "../support/e2e/console-session";

/**
 * The console defects reported against the first release (issue 13, defects 1-7), each replayed in
 * Chromium against the production build, the worker, MariaDB and etcd. Every test here failed on
 * the console before the fix; the comment on each says what it used to do.
 */
const s = useConsoleSession({
  async seed() {
    const ctx = s.env.ctx();
    await createFlag({ ctx, input: { namespace: "checkout", key: "retired-banner", type: "boolean", tags: ["marketing"] } });
    await archiveFlag({ ctx, input: { namespace: "checkout", key: "retired-banner", archived: true } });
    // One JSON flag whose value is a single long unbroken token.
    const long = { theme: "x".repeat(600), list: Array.from({ length: 40 }, (_, i) => `variant-number-${i}`) };
    await createFlag({ ctx, input: { namespace: "search", key: "wide-json", type: "json", defaultValue: long } });
    // History in production only (v2, v3): the rollback panel must open there.
    for (const value of [20, 30]) await setFlagValue({ ctx, input: { namespace: "checkout", key: "max-cart-items", environment: "production", value } });
  },
});

const url = (p: string) => `${s.stack.url}${p}`;
const flagRows = (page: Page) => page.locator("table tbody tr");

describe("defect 1: flag list filters", () => {
  it("hides archived flags by default and lists them when asked", async () => {
    // Was: archived flags were listed by default ("Active and archived").
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags");
    await page.getByRole("link", { name: /new-checkout-flow/ }).waitFor();
    expect(await page.getByRole("link", { name: /retired-banner/ }).count()).toBe(0);
    await page.getByLabel("Archived", { exact: true }).selectOption({ label: "Active and archived" });
    await page.getByRole("link", { name: /retired-banner/ }).waitFor();
  });

  it("keeps a Type chosen right after clearing the search box", async () => {
    // Was: the debounced search, firing after the Type pick, rebuilt the URL from before it.
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags?search=promo");
    await page.getByRole("link", { name: /promo-banner/ }).waitFor();
    await page.getByLabel("Search key or description").fill("");
    await page.getByLabel("Type", { exact: true }).selectOption("boolean");
    await expect.poll(() => page.url(), { timeout: 5_000 }).not.toContain("search=");
    // Past the debounce: nothing may come back and undo the pick.
    await page.waitForTimeout(800);
    expect(new URL(page.url()).searchParams.get("type")).toBe("boolean");
    expect(await page.getByLabel("Type", { exact: true }).inputValue()).toBe("boolean");
    await expect.poll(() => flagRows(page).allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("new-checkout-flow")]));
    for (const row of await flagRows(page).allTextContents()) expect(row).toContain("boolean");
  });

  it("applies the Tag filter as you type, like search", async () => {
    // Was: the tag applied only on Enter or leaving the field.
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags");
    await page.getByRole("link", { name: /new-checkout-flow/ }).waitFor();
    await page.getByLabel("Tag", { exact: true }).pressSequentially("ops");
    await expect.poll(() => flagRows(page).count(), { timeout: 5_000 }).toBe(1);
    expect(await flagRows(page).first().textContent()).toContain("payment-provider");
    expect(new URL(page.url()).searchParams.get("tag")).toBe("ops");
  });
});

describe("defect 2: layout width", () => {
  it("keeps the flags page inside 1440 px with a long JSON value, Create flag in view", async () => {
    // Was: 1,482 px wide, scrolling sideways, "Create flag" cut off.
    const page = await s.signIn(await s.newContext({ viewport: { width: 1440, height: 900 } }), ADMIN);
    await s.open(page, "/flags?namespace=search");
    await page.getByRole("link", { name: /wide-json/ }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const box = (await page.getByRole("link", { name: "Create flag" }).boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1440);
    await s.open(page, "/flags/search/wide-json");
    await page.getByRole("heading", { level: 1, name: /wide-json/ }).waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  it("folds the menu behind a button on a 390 px phone", async () => {
    // Was: no menu button; the sidebar filled the first ~560 px of the page.
    const page = await s.signIn(await s.newContext({ viewport: { width: 390, height: 844 } }), ADMIN);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.isVisible()).toBe(false);
    const h1 = (await page.getByRole("heading", { level: 1, name: "Dashboard" }).boundingBox())!;
    expect(h1.y).toBeLessThan(200);
    const toggle = page.getByRole("button", { name: "Menu" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    await nav.getByRole("link", { name: "Flags" }).click();
    await page.getByRole("heading", { level: 1, name: "Flags" }).waitFor();
    // Following a link closes the menu again.
    await expect.poll(() => nav.isVisible()).toBe(false);
  });
});

describe("defect 3: saving a value", () => {
  it("moves focus to the review on Enter, and Enter in Reason saves", async () => {
    // Was: focus fell to the page body after "Review change"; Enter in Reason did nothing.
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags/search/semantic-search");
    const card = page.getByTestId("env-development");
    await card.getByRole("switch").click();
    await card.getByRole("button", { name: "Review change" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("reason-development");
    await page.keyboard.type("keyboard save");
    await page.keyboard.press("Enter");
    await page.getByTestId("toast-ok").filter({ hasText: /search\/semantic-search in development is now/ }).waitFor();
  });

  it("after a conflict shows their value at once, keeps the edit, and saves it on their version", async () => {
    // Was: the old value stayed until "Load the latest value", which threw the edit away; the
    // message said "someone else" twice.
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags/checkout/payment-provider"); // hydrated: typing earlier would be merged into React's state later
    const card = page.getByTestId("env-staging");
    const editor = card.getByLabel("New value in staging");
    await editor.fill("mine");
    await setFlagValue({ ctx: s.env.ctx(), input: { namespace: "checkout", key: "payment-provider", environment: "staging", value: "theirs" } });
    await card.getByRole("button", { name: "Review change" }).click();
    await card.getByRole("button", { name: "Save change" }).click();
    const alert = card.getByTestId("conflict");
    await alert.waitFor();
    expect(await card.getByTestId("current-value").textContent()).toBe('"theirs"');
    expect(await editor.inputValue()).toBe("mine");
    const words = (await alert.textContent())!.toLowerCase();
    expect(words.split("someone else").length - 1).toBeLessThanOrEqual(1);
    expect(words).toContain("theirs");
    expect(words).toContain("mine");
    await alert.getByRole("button", { name: "Review my edit again" }).click();
    await card.getByRole("button", { name: "Save change" }).click();
    await page.getByTestId("toast-ok").filter({ hasText: /payment-provider in staging is now "?mine/ }).waitFor();
  });
});

describe("defect 4: messages", () => {
  it("explains a duplicate key as a taken key, and drops the error when the user moves on", async () => {
    // Was: "Nothing was saved; review the latest version and try again", and the toast followed
    // the user to the next page for 12 s.
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags/new");
    await page.getByLabel("Namespace").selectOption("checkout");
    await page.getByLabel("Key", { exact: true }).fill("promo-banner");
    await page.getByRole("button", { name: "Create flag" }).click();
    const toast = page.getByTestId("toast-error");
    await toast.waitFor();
    const text = (await toast.textContent())!;
    expect(text).toContain("already exists");
    expect(text).toContain("Choose a different key");
    expect(text).not.toContain("review the latest version");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flags" }).click();
    await page.getByRole("heading", { level: 1, name: "Flags" }).waitFor();
    await expect.poll(() => toast.count(), { timeout: 2_000 }).toBe(0);
  });
});

describe("defect 5: rollback panel", () => {
  it("opens on the environment that has history, with version labels that fit the select", async () => {
    // Was: "development" (no history) was preselected; the options were cut off.
    const page = await s.signIn(await s.newContext({ viewport: { width: 390, height: 844 } }), ADMIN);
    await s.open(page, "/flags/checkout/max-cart-items?tab=history");
    const envSelect = page.getByLabel("Environment", { exact: true });
    // The panel picks the environment once the history has loaded in the browser (seconds under load).
    await expect.poll(() => envSelect.inputValue(), { timeout: 15_000 }).toBe("production");
    const versions = page.getByLabel("Earlier version");
    await expect.poll(() => versions.locator("option").count()).toBe(3);
    // Every option's text fits the select's width, measured in the select's own font.
    const fits = await versions.evaluate((el: HTMLSelectElement) => {
      const style = getComputedStyle(el);
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20; // the arrow
      return [...el.options].map((o) => ({ text: o.text, fits: ctx.measureText(o.text).width <= room }));
    });
    expect(fits.filter((o) => !o.fits)).toEqual([]);
  });
});

describe("defect 6: realtime figures", () => {
  it("counts SDK clients reported by every process, not this app's own streams", async () => {
    // Was: the dashboard counted the app process's own streams, 0 while SDKs used the worker.
    const summary = JSON.stringify({ v: 1, envs: { production: { "*": [[1, 3]] } } });
    await s.env.etcd.root.put(presenceKey("other-process")).value(summary);
    try {
      const page = await s.signIn(await s.newContext(), ADMIN);
      await expect.poll(async () => { await page.reload(); return page.getByTestId("open-streams").textContent(); }, { timeout: 10_000 }).toBe("3");
      await s.open(page, "/realtime");
      await expect.poll(() => page.getByTestId("rt-open-streams").textContent(), { timeout: 10_000 }).toBe("3");
    } finally {
      await s.env.etcd.root.delete().key(presenceKey("other-process"));
    }
  });
});

describe("defect 7: finish", () => {
  it("shows an unknown flag inside the console with a way back", async () => {
    // Was: Next's unstyled "404 | This page could not be found."
    const page = await s.signIn(await s.newContext(), ADMIN);
    const res = await s.open(page, "/flags/checkout/no-such-flag");
    expect(res?.status()).toBe(404);
    await page.getByRole("heading", { level: 1, name: "Flag not found" }).waitFor();
    await page.getByRole("link", { name: "Back to all flags" }).click();
    await page.getByRole("heading", { level: 1, name: "Flags" }).waitFor();
  });

  it("serves a favicon", async () => {
    // Was: 404 on every page.
    const res = await fetch(url("/favicon.ico"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/image\//);
  });

  it("gives every single-line field the same height, in every form", async () => {
    // Was: selects and text boxes differed in height across the filter and create forms.
    const page = await s.signIn(await s.newContext(), ADMIN);
    const heights = new Set<number>();
    for (const p of ["/flags", "/flags/new", "/namespaces", "/sdk-keys"]) {
      await s.open(page, p);
      await page.locator("main h1").first().waitFor();
      const hs = await page.$$eval("main input[type=text], main input[type=search], main input[type=email], main input[type=password], main select", (els) =>
        els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => Math.round(e.getBoundingClientRect().height)),
      );
      for (const h of hs) heights.add(h);
    }
    expect([...heights]).toHaveLength(1);
  });

  it("makes a reviewer's disabled fields look disabled", async () => {
    // Was: disabled fields had the same white box as editable ones.
    const page = await s.signIn(await s.newContext(), REVIEWER);
    await s.open(page, "/flags/checkout/promo-banner?tab=settings");
    const description = page.getByLabel("Description");
    await description.waitFor();
    expect(await description.isDisabled()).toBe(true);
    const look = (el: Element) => { const st = getComputedStyle(el); return `${st.backgroundColor} ${st.borderStyle}`; };
    const disabled = await description.evaluate(look);
    await s.open(page, "/flags");
    const enabled = await page.getByLabel("Search key or description").evaluate(look);
    expect(disabled).not.toBe(enabled);
  });
});
