/**
 * MizuFlow behind OpenFeature on a Node server. Flag keys are "namespace/key"; with
 * `defaultNamespace` a bare key works too.
 *
 *   MIZUFLOW_URL=http://localhost:3000 MIZUFLOW_SDK_KEY=mf_... npx tsx examples/openfeature-server.ts
 */
import { OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { MizuFlowServerProvider } from "@mizuflow/sdk/openfeature/server";

const provider = new MizuFlowServerProvider({
  clientOptions: {
    url: process.env.MIZUFLOW_URL ?? "http://localhost:3000",
    sdkKey: process.env.MIZUFLOW_SDK_KEY ?? "",
    snapshotPath: ".data/mizuflow-snapshot.json",
  },
  defaultNamespace: "checkout",
});

await OpenFeature.setProviderAndWait(provider);
const flags = OpenFeature.getClient();

flags.addHandler(ProviderEvents.ConfigurationChanged, async (details) => {
  console.log("changed:", details?.flagsChanged);
  console.log("new-checkout-flow now", await flags.getBooleanValue("new-checkout-flow", false));
});
flags.addHandler(ProviderEvents.Stale, (d) => console.warn("stale:", d?.message));

const details = await flags.getBooleanDetails("checkout/new-checkout-flow", false);
console.log(details.value, details.reason, details.variant, details.flagMetadata);

process.on("SIGINT", () => void OpenFeature.close().then(() => process.exit(0)));
