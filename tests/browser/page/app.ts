/**
 * The page under test in tests/browser/sdk-browser.test.ts, bundled for the browser with esbuild.
 * It uses only browser APIs: the native EventSource (key as `?sdk_key=`), localStorage for the
 * local snapshot, and the OpenFeature web SDK with MizuFlow's web provider.
 */
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { localStorageSnapshotStore } from "../../../sdk/src/index";
import { MizuFlowWebProvider } from "../../../sdk/src/openfeature/web-provider";

interface PageConfig {
  /** The stream server, on another origin than the page. */
  streamUrl: string;
  sdkKey: string;
  flag: string;
  defaultNamespace: string;
}

/** What the page publishes on window.__mizuflow (the test imports this type). */
export interface PageLog {
  events: { type: string; flagsChanged?: string[]; at: number }[];
  value: boolean | null;
  reason: string | null;
  revision: number;
  status: string;
  error: string | null;
}

const cfg = JSON.parse(document.getElementById("config")!.textContent!) as PageConfig;
const log: PageLog = { events: [], value: null, reason: null, revision: 0, status: "starting", error: null };
(window as unknown as { __mizuflow: PageLog }).__mizuflow = log;

const provider = new MizuFlowWebProvider({
  clientOptions: { url: cfg.streamUrl, sdkKey: cfg.sdkKey, snapshotStore: localStorageSnapshotStore(), initialBackoffMs: 200, persistDebounceMs: 10, reportIntervalMs: 1000 },
  defaultNamespace: cfg.defaultNamespace,
  readyTimeoutMs: 5000,
});
const flags = OpenFeature.getClient();

function render(): void {
  const d = flags.getBooleanDetails(cfg.flag, false);
  log.value = d.value;
  log.reason = d.reason ?? null;
  log.revision = provider.client.revision;
  log.status = flags.providerStatus;
  document.getElementById("value")!.textContent = String(d.value);
}

for (const type of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error, ProviderEvents.ConfigurationChanged]) {
  flags.addHandler(type, (details) => {
    log.events.push({ type, flagsChanged: details?.flagsChanged as string[] | undefined, at: Date.now() });
    render();
  });
}

OpenFeature.setProviderAndWait(provider).then(render, (err: unknown) => {
  log.error = String(err);
  render();
});
