import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startStreamFixture, type StreamFixture } from "../../sdk/tests/support/stream-fixture";
import { launchBrowser } from "../support/e2e/browser";
import { bundlePage } from "../support/e2e/test-page";
import { startPageServer, type PageServer } from "./page-server";

export interface StreamPageRig {
  fx: StreamFixture;
  pages: PageServer;
  browser: Browser;
  bundle: string;
}

/**
 * The setup of the browser tests against the real stream server, as hooks of the calling describe:
 * the fixture and the page's bundle are made in parallel, `configure` adds the flags and returns
 * the page's config, then the page server and Chromium start. The fields are set once beforeAll
 * ran; afterAll stops whatever started, even after a failed setup.
 */
export function useStreamPageRig(app: string, configure: (fx: StreamFixture) => Promise<unknown>): StreamPageRig {
  const rig = {} as StreamPageRig;
  beforeAll(async () => {
    [rig.fx, rig.bundle] = await Promise.all([startStreamFixture(), bundlePage(app)]);
    rig.pages = await startPageServer({ bundle: rig.bundle, config: await configure(rig.fx) });
    rig.browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await rig.browser?.close();
    await rig.pages?.close();
    await rig.fx?.cleanup();
  });
  return rig;
}
