import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";

/**
 * Browser page for the OFREP web provider test: the published provider, unchanged, with a client
 * key (from the URL fragment) against the worker on another origin. Polling is off, so a change
 * can only arrive through the event stream. State goes to window.__ofrep for the test to read.
 */
interface Config {
  baseUrl: string;
  flag: string;
}
const config = JSON.parse(document.getElementById("config")!.textContent!) as Config;
const sdkKey = decodeURIComponent(location.hash.slice(1));
const state = {
  ready: false,
  value: null as string | null,
  reason: null as string | null,
  errorCode: null as string | null,
  changes: [] as { at: number; value: string }[],
  bulkStatuses: [] as number[],
  error: null as string | null,
};
(window as unknown as { __ofrep: typeof state }).__ofrep = state;
/** What the page publishes on window.__ofrep (the test imports this type). */
export type OfrepPageState = typeof state;

const realFetch = window.fetch.bind(window);
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await realFetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (/\/ofrep\/v1\/evaluate\/flags$|\/ofrep\/v1\/evaluate\/flags\?/.test(url)) state.bulkStatuses.push(res.status);
  return res;
};

const provider = new OFREPWebProvider({
  baseUrl: config.baseUrl,
  headers: [["Authorization", `Bearer ${sdkKey}`]],
  pollInterval: 0,
  changeDetection: "sse",
  fetchImplementation: recordingFetch,
});
const client = OpenFeature.getClient();
const read = () => {
  const d = client.getStringDetails(config.flag, "code-default");
  state.value = d.value;
  state.reason = d.reason ?? null;
  state.errorCode = d.errorCode ?? null;
  return d.value;
};
client.addHandler(ProviderEvents.ConfigurationChanged, () => state.changes.push({ at: Date.now(), value: read() }));
OpenFeature.setContext({ targetingKey: "browser-user", plan: "pro" })
  .then(() => OpenFeature.setProviderAndWait(provider))
  .then(() => {
    read();
    state.ready = true;
  })
  .catch((e: unknown) => {
    state.error = String(e);
  });
