import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { MizuFlowOfrepWebProvider } from "../../../sdk/src/openfeature/web-provider";

/**
 * Browser page for MizuFlow's own OFREP web provider: a client key (from the URL fragment) against
 * the worker on another origin. Every request the page makes (bulk evaluations, revision reports)
 * is recorded with its status, so the test can see that no other endpoint was used and that a
 * change arrived without a poll. State goes to window.__own for the test to read.
 */
interface Config {
  baseUrl: string;
}
interface Read {
  value: unknown;
  reason: string | null;
  variant: string | null;
  errorCode: string | null;
}
const config = JSON.parse(document.getElementById("config")!.textContent!) as Config;
const sdkKey = decodeURIComponent(location.hash.slice(1));
const state = {
  ready: false,
  error: null as string | null,
  reads: {} as Record<string, Read>,
  changes: [] as { at: number; flagsChanged: string[]; theme: unknown }[],
  requests: [] as { url: string; status: number | "failed"; body: string | null }[],
  contextChanged: 0,
};
(window as unknown as { __own: typeof state }).__own = state;
/** What the page publishes on window.__own (the test imports this type). */
export type OwnPageState = typeof state;

const realFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const body = typeof init?.body === "string" ? init.body : null;
  try {
    const res = await realFetch(input, init);
    state.requests.push({ url, status: res.status, body });
    return res;
  } catch (e) {
    state.requests.push({ url, status: "failed", body });
    throw e;
  }
};

const client = OpenFeature.getClient();
const detail = (d: { value: unknown; reason?: string; variant?: string; errorCode?: string }): Read => ({
  value: d.value,
  reason: d.reason ?? null,
  variant: d.variant ?? null,
  errorCode: d.errorCode ?? null,
});
const readAll = () => {
  state.reads = {
    flag: detail(client.getBooleanDetails("checkout/new-flow", false)),
    theme: detail(client.getStringDetails("checkout/theme", "code-default")),
    bare: detail(client.getStringDetails("theme", "code-default")),
    limit: detail(client.getNumberDetails("checkout/limit", -1)),
    config: detail(client.getObjectDetails("checkout/config", { fallback: true })),
    mismatch: detail(client.getNumberDetails("checkout/theme", 42)),
    missing: detail(client.getBooleanDetails("checkout/nope", true)),
    outOfScope: detail(client.getStringDetails("search/secret", "code-default")),
  };
};
client.addHandler(ProviderEvents.ConfigurationChanged, (ev) => {
  readAll();
  state.changes.push({ at: Date.now(), flagsChanged: ev?.flagsChanged ?? [], theme: state.reads.theme!.value });
});
client.addHandler(ProviderEvents.ContextChanged, () => {
  readAll();
  state.contextChanged++;
});
(window as unknown as { __setContext: (c: Record<string, string>) => Promise<void> }).__setContext = (c) => OpenFeature.setContext(c);

const provider = new MizuFlowOfrepWebProvider({ baseUrl: config.baseUrl, sdkKey, defaultNamespace: "checkout", reportIntervalMs: 1_000, initialBackoffMs: 200 });
OpenFeature.setContext({ targetingKey: "browser-user", plan: "pro" })
  .then(() => OpenFeature.setProviderAndWait(provider))
  .then(() => {
    readAll();
    state.ready = true;
  })
  .catch((e: unknown) => {
    readAll();
    state.error = String(e);
  });
