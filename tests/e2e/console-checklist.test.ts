import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deleteFlag } from "../../lib/flags/delete-flag";
import { listFlags } from "../../lib/flags/list-flags";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { ARTIFACTS } from "../support/e2e/browser";
import { ROOT } from "../support/e2e/next-build";
import { ADMIN, useConsoleSession } from "../support/e2e/console-session";

/**
 * The dashboard's first-run checklist, followed as a new administrator would, in Chromium against
 * the production build: with no flags it offers "Create a flag"; after creating one it offers the
 * SDK snippet for the chosen environment, which is copied from the page and RUN as it is (a real
 * SDK process with an SDK key of that environment); once that client reports, the step is done;
 * a value change made in the console reaches the running snippet live, and the checklist is gone.
 */
let sdkProcess: ChildProcess | null = null;
const s = useConsoleSession({
  testTimeout: 240_000,
  async seed() {
    // A first run: no flags at all (the demo data brings some).
    for (const f of (await listFlags({ ctx: s.env.ctx(), input: { limit: 500 } })).flags) {
      await deleteFlag({ ctx: s.env.ctx(), input: { namespace: f.namespace, key: f.key } });
    }
  },
});

// Registered after the session's: runs before it closes (after-hooks run in reverse order).
afterAll(() => {
  if (sdkProcess && sdkProcess.exitCode === null) sdkProcess.kill("SIGKILL");
});

describe("first-run checklist", () => {
  it("create a flag -> run the copied SDK snippet for the chosen environment -> see a change arrive live", async () => {
    const context = await s.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: s.stack.url });
    const page = await s.signIn(context, ADMIN);
    const checklist = page.getByRole("region", { name: "Get started" });
    const step = (title: string) => checklist.getByRole("listitem").filter({ hasText: title });

    // 1. Nothing exists yet: the first step links to the create form.
    expect(await step("Create a flag").textContent()).toContain("(to do)");
    await checklist.getByRole("link", { name: "Create your first flag" }).click();
    await page.waitForURL("**/flags/new");
    await page.getByLabel("Namespace", { exact: true }).selectOption("checkout");
    await page.getByLabel("Key", { exact: true }).fill("first-flag");
    await page.getByRole("button", { name: "Create flag" }).click();
    await page.waitForURL("**/flags/checkout/first-flag");

    // 2. Back on the dashboard the first step is done; the snippet follows the chosen environment.
    await s.open(page, "/");
    expect(await step("Create a flag").textContent()).toContain("(done)");
    expect(await step("Connect an SDK").textContent()).toContain("(to do)");
    await checklist.getByLabel("Environment").selectOption("staging");
    const snippet = checklist.getByTestId("sdk-snippet");
    await expect.poll(() => snippet.textContent()).toContain(`"staging" environment`);
    expect(await snippet.textContent()).toContain("checkout/first-flag");
    await checklist.getByRole("button", { name: "Copy snippet" }).click();
    await checklist.getByRole("button", { name: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await snippet.textContent());
    expect(copied).toContain(s.stack.url);

    // Run the copied snippet as it is, with an SDK key of the chosen environment.
    const { key } = await createSdkKey({ ctx: s.env.ctx(), input: { name: "checklist", environment: "staging", namespaces: null } });
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, "checklist-snippet.mts");
    await writeFile(file, copied);
    let output = "";
    sdkProcess = spawn(process.execPath, ["--import", "tsx", file], { cwd: ROOT, env: { ...process.env, MIZUFLOW_SDK_KEY: key }, stdio: ["ignore", "pipe", "pipe"] });
    sdkProcess.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    sdkProcess.stderr!.on("data", (c: Buffer) => (output += c.toString()));

    // Once the client has reported, the dashboard counts it and the step is done.
    await expect
      .poll(async () => (await page.reload(), await step("Connect an SDK").textContent()), { timeout: 30_000, interval: 1_000 })
      .toContain("(done)");

    // "Last seen": the list and the flag page say the running client holds the flag in staging now,
    // and nothing has held it in production.
    await s.open(page, "/flags?namespace=checkout");
    const row = page.getByRole("row").filter({ hasText: "first-flag" });
    await expect.poll(async () => (await page.reload(), await row.getByTestId("last-seen").textContent()), { timeout: 15_000, interval: 1_000 }).toBe("now");
    expect(await row.getByTestId("last-seen").getAttribute("title")).toMatch(/staging: now.*production: never|production: never.*staging: now/);
    await s.open(page, "/flags/checkout/first-flag");
    await expect.poll(() => page.getByTestId("env-staging").getByTestId("last-seen").textContent(), { timeout: 15_000 }).toBe("Last seen by an SDK: now");
    expect(await page.getByTestId("env-production").getByTestId("last-seen").textContent()).toBe("Last seen by an SDK: never");

    // 3. A change made in the console arrives live in the running snippet; then the checklist is gone.
    const card = page.getByTestId("env-staging");
    await card.getByRole("switch", { name: "New value in staging" }).click();
    await card.getByRole("button", { name: "Review change" }).click();
    await card.getByRole("button", { name: "Save change" }).click();
    await expect.poll(() => output, { timeout: 15_000 }).toContain("checkout/first-flag = true");
    await s.open(page, "/");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    expect(await checklist.count()).toBe(0);
  });
});
