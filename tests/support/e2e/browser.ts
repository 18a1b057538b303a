import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ensureBinaries, requireBinary } from "../../../scripts/lib/local-services";
import { ROOT } from "./next-build";

/**
 * Debian's Chromium driven by playwright-core. No browser is ever downloaded: the executable is the
 * system one (`chromium` on the PATH, /usr/bin/chromium from Debian's package), with the flags a
 * sandboxed CI container needs.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The Chromium executable, installed from Debian's packages first when missing (as root, like
 * MariaDB and etcd); otherwise this throws with the exact command to run. A browser test therefore
 * fails when it cannot get a browser: it is never skipped.
 */
export async function chromiumExecutable(): Promise<string> {
  await ensureBinaries({ chromium: true });
  return requireBinary("chromium");
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
}

export const ARTIFACTS = path.join(ROOT, "test-artifacts");

/** Saves a full-page screenshot to test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
