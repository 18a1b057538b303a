/**
 * MizuFlow behind OpenFeature in a browser (bundle with any bundler; nothing here needs Node).
 * The browser's EventSource cannot send headers, so the SDK key travels as `?sdk_key=`: use a key
 * scoped to the namespaces the page may see.
 */
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { localStorageSnapshotStore } from "@mizuflow/sdk";
import { MizuFlowWebProvider } from "@mizuflow/sdk/openfeature/web";

export async function startFlags(sdkKey: string, render: (newFlow: boolean) => void): Promise<void> {
  const provider = new MizuFlowWebProvider({
    clientOptions: { url: location.origin, sdkKey, snapshotStore: localStorageSnapshotStore() },
    defaultNamespace: "checkout",
  });
  const flags = OpenFeature.getClient();
  flags.addHandler(ProviderEvents.ConfigurationChanged, () => render(flags.getBooleanValue("new-checkout-flow", false)));
  await OpenFeature.setProviderAndWait(provider);
  render(flags.getBooleanValue("new-checkout-flow", false));
}
