import { describe, expect, it } from "vitest";
import { createFlag } from "../../lib/flags/create-flag";
import { getFlag } from "../../lib/flags/get-flag";
import { listFlags } from "../../lib/flags/list-flags";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { ADMIN, useConsoleSession } from "../support/e2e/console-session";

/**
 * The list and navigation features a user of another flag platform expects, in Chromium against
 * the production build: a count in the list header, sortable columns, visible paging with a page
 * size, a breadcrumb back from a flag, and a Ctrl+K palette that jumps to any flag.
 */
const EXTRA = 30;
const s = useConsoleSession({
  async seed() {
    // 8 demo flags + 30 more: two pages at 25 per page.
    for (let i = 0; i < EXTRA; i++) {
      await createFlag({ ctx: s.env.ctx(), input: { namespace: "search", key: `bulk-${String(i).padStart(2, "0")}`, type: "number", defaultValue: i } });
    }
  },
});

describe("flag list", () => {
  it("counts the flags, pages them 25 at a time with a page size, and sorts by a column", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags");
    await expect.poll(() => page.getByTestId("flags-count").textContent()).toBe(`${8 + EXTRA} flags`);
    const rows = page.locator("table tbody tr");
    expect(await rows.count()).toBe(25);
    expect(await page.getByTestId("page-of").textContent()).toBe("Page 1 of 2");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("button", { name: "Next" }).click();
    // Pages come from the server now: give a loaded machine time to answer.
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(8 + EXTRA - 25);
    await page.getByLabel("Rows per page").selectOption("50");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(8 + EXTRA);

    // Sorting by Flag, descending on the second press; the header says which way it is sorted.
    const flagHeader = page.getByRole("columnheader", { name: /Flag/ });
    const keys = () => rows.locator("td:first-child a").allTextContents();
    await flagHeader.getByRole("button").click();
    expect(await flagHeader.getAttribute("aria-sort")).toBe("ascending");
    await page.waitForURL(/sort=flag/);
    await page.locator("table:not([aria-busy])").waitFor();
    const asc = await keys();
    expect(asc).toEqual([...asc].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
    await flagHeader.getByRole("button").click();
    expect(await flagHeader.getAttribute("aria-sort")).toBe("descending");
    await expect.poll(keys, { timeout: 15_000 }).toEqual([...asc].reverse());
  });

  it("sorts and pages over every flag on the server: the count is the total and the address names the view", async () => {
    // The order the server promises for sort=flag: namespace, then key (byte order), over ALL flags.
    const all = (await listFlags({ ctx: s.env.ctx(), input: { limit: 500, archived: false } })).flags.map((f) => `${f.namespace}/${f.key}`);
    expect(all.length).toBeGreaterThan(25);
    const desc = [...all].sort().reverse();
    const page = await s.signIn(await s.newContext(), ADMIN);
    const rows = page.locator("table tbody tr td:first-child a");

    // The address alone renders the second page of the descending order (the smallest keys).
    await s.open(page, "/flags?sort=flag&dir=desc&page=2");
    expect(await page.getByTestId("flags-count").textContent()).toBe(`${all.length} flags`);
    expect(await page.getByTestId("page-of").textContent()).toBe(`Page 2 of ${Math.ceil(all.length / 25)}`);
    expect(await page.getByRole("columnheader", { name: /Flag/ }).getAttribute("aria-sort")).toBe("descending");
    expect(await rows.allTextContents()).toEqual(desc.slice(25, 50));

    // No SDK has connected to this stack: every flag's "last seen" says so.
    expect(await page.getByRole("columnheader", { name: "Last seen" }).count()).toBe(1);
    expect(new Set(await page.getByTestId("last-seen").allTextContents())).toEqual(new Set(["never"]));

    // Back to page 1 from the pager: the address follows, and the rows are the largest keys.
    await page.getByRole("navigation", { name: "Pages" }).getByRole("button", { name: "Previous" }).click();
    await page.waitForURL((u) => u.searchParams.get("sort") === "flag" && u.searchParams.get("dir") === "desc" && !u.searchParams.has("page"));
    await expect.poll(() => rows.allTextContents(), { timeout: 15_000 }).toEqual(desc.slice(0, 25));

    // A filter counts its own total and starts again at page 1; the page size goes into the address.
    await page.getByLabel("Rows per page").selectOption("50");
    await page.waitForURL((u) => u.searchParams.get("size") === "50");
    await expect.poll(() => rows.allTextContents(), { timeout: 15_000 }).toEqual(desc.slice(0, 50));
    await page.getByLabel("Namespace").selectOption("search");
    const inSearch = desc.filter((k) => k.startsWith("search/"));
    await expect.poll(() => page.getByTestId("flags-count").textContent(), { timeout: 15_000 }).toBe(`${inSearch.length} flags`);
    await expect.poll(() => rows.allTextContents(), { timeout: 15_000 }).toEqual(inSearch.slice(0, 50));
    // The address follows the state (router.replace may land just after the rows).
    await page.waitForURL((u) => u.searchParams.get("namespace") === "search" && u.searchParams.get("size") === "50" && !u.searchParams.has("page"));

    // An address the list read refuses (a page size it does not offer) says why instead of guessing.
    const res = await page.request.get(`${s.stack.url}/api/console/flags?size=7`);
    expect(res.status()).toBe(422);
    expect(JSON.stringify(await res.json())).toContain("size");
  });
});

describe("inline on/off in the list", () => {
  it("turns a boolean on in one environment after the diff is confirmed, and refuses a stale one", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags?namespace=search&type=boolean");
    const toggle = page.getByRole("switch", { name: "search/semantic-search in production" });
    const before = (await getFlag({ ctx: s.env.ctx(), input: { namespace: "search", key: "semantic-search" } })).values.production!;
    expect(await toggle.getAttribute("aria-checked")).toBe(String(before.value));
    await toggle.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByTestId("json-diff").waitFor();
    // Cancel changes nothing.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await getFlag({ ctx: s.env.ctx(), input: { namespace: "search", key: "semantic-search" } })).values.production).toEqual(before);
    await toggle.click();
    await dialog.getByRole("button", { name: before.value ? "Turn off" : "Turn on" }).click();
    await expect.poll(() => toggle.getAttribute("aria-checked"), { timeout: 15_000 }).toBe(String(!before.value));
    const after = (await getFlag({ ctx: s.env.ctx(), input: { namespace: "search", key: "semantic-search" } })).values.production!;
    expect(after).toMatchObject({ value: !before.value, version: before.version + 1 });

    // Someone else changes it while the list is open: the switch's save is refused, not applied.
    await setFlagValue({ ctx: s.env.ctx(), input: { namespace: "search", key: "semantic-search", environment: "production", value: before.value } });
    await toggle.click();
    await dialog.getByRole("button", { name: /Turn (on|off)/ }).click();
    await page.getByTestId("toast-error").filter({ hasText: /changed by someone else/ }).waitFor();
    expect((await getFlag({ ctx: s.env.ctx(), input: { namespace: "search", key: "semantic-search" } })).values.production!.version).toBe(after.version + 1);
  });
});

describe("navigation", () => {
  it("leads back from a flag through its breadcrumb", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/flags/checkout/promo-banner");
    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
    await crumbs.getByRole("link", { name: "checkout" }).click();
    await page.waitForURL(/\/flags\?namespace=checkout/);
    await page.getByRole("heading", { level: 1, name: "Flags" }).waitFor();
  });

  it("jumps to a flag with Ctrl+K, typing part of its key and Enter", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    const dialog = page.getByRole("dialog", { name: "Jump to a flag or page" });
    // The shortcut works once the page is interactive (hydrated); pressing again is harmless.
    await expect.poll(async () => (await page.keyboard.press("Control+K"), dialog.isVisible()), { timeout: 20_000 }).toBe(true);
    await page.keyboard.type("bulk-17");
    await dialog.getByRole("option", { name: /bulk-17/ }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL("**/flags/search/bulk-17");
    await page.getByRole("heading", { level: 1, name: /bulk-17/ }).waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it("moves the palette's highlight with the arrow keys, opens the highlighted flag on Enter, and keeps an Enter typed before the results", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    const dialog = page.getByRole("dialog", { name: "Jump to a flag or page" });
    await expect.poll(async () => (await page.keyboard.press("Control+K"), dialog.isVisible()), { timeout: 20_000 }).toBe(true);
    await page.keyboard.type("bulk-1");
    // bulk-10 .. bulk-19, in key order; the first is highlighted, two steps down is bulk-12.
    await dialog.getByRole("option", { name: /bulk-19/ }).waitFor();
    expect(await dialog.getByRole("option", { selected: true }).textContent()).toContain("bulk-10");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await dialog.getByRole("option", { selected: true }).textContent()).toContain("bulk-12");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/flags/search/bulk-12");
    await page.getByRole("heading", { level: 1, name: /bulk-12/ }).waitFor();

    // Typing and Enter at once, before the search has answered: the Enter waits for the results.
    await expect.poll(async () => (await page.keyboard.press("Control+K"), dialog.isVisible()), { timeout: 20_000 }).toBe(true);
    await page.keyboard.type("bulk-25");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/flags/search/bulk-25");
    await page.getByRole("heading", { level: 1, name: /bulk-25/ }).waitFor();
  });

  it("jumps to a console page from the palette", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    const dialog = page.getByRole("dialog", { name: "Jump to a flag or page" });
    await expect.poll(async () => (await page.keyboard.press("Control+K"), dialog.isVisible()), { timeout: 20_000 }).toBe(true);
    await page.keyboard.type("audit");
    await page.getByRole("option", { name: "Audit history" }).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Audit history" }).waitFor();
  });
});
