import { build } from "esbuild";
import type { Page } from "playwright-core";

/**
 * The two halves of a browser test page (tests/browser/<page>/app.ts): the bundle Chromium loads,
 * and the state the page publishes on `window` for the test to read. Every browser test polls that
 * state instead of sleeping, so a slow machine only makes it wait longer.
 */

/** Bundles a page's entry for the browser (ESM, no Node built-ins), as the page server serves it. */
export async function bundlePage(entry: string): Promise<string> {
  const built = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  return built.outputFiles[0]!.text;
}

/** The state the page keeps on `window[name]`, or null before its script has run. */
export function readPageState<S>(page: Page, name: string): Promise<S | null> {
  return page.evaluate((n) => ((window as unknown as Record<string, unknown>)[n] ?? null) as S | null, name);
}

/** Polls the page's state until `ok` holds; a timeout names what was awaited and shows the last state. */
export async function waitForPageState<S>(page: Page, name: string, what: string, ok: (s: S) => boolean, timeoutMs = 10_000): Promise<S> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await readPageState<S>(page, name);
    if (s && ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; page state: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
