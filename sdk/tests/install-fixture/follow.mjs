// An ESM Node program using the installed package: follows one flag directly and through the
// OpenFeature server provider, prints a JSON line when ready and one on the first change.
import { OpenFeature } from "@openfeature/server-sdk";
import { createClient as createBrowserClient } from "@mizuflow/sdk";
import { createClient } from "@mizuflow/sdk/node";
import { MizuFlowServerProvider } from "@mizuflow/sdk/openfeature/server";

const [url, sdkKey] = process.argv.slice(2);
const client = createClient({ url, sdkKey, reportRevision: false });
await client.ready({ live: true, timeoutMs: 10_000 });
await OpenFeature.setProviderAndWait(new MizuFlowServerProvider({ client, defaultNamespace: "checkout" }));
const flags = OpenFeature.getClient();
const say = async (what) =>
  console.log(JSON.stringify({ what, module: "esm", direct: client.getBoolean("checkout", "new-flow", false), openFeature: await flags.getBooleanValue("new-flow", false), universalEntry: typeof createBrowserClient }));
client.on("change", (e) => {
  if (e.key !== "new-flow") return;
  void say("changed").then(async () => {
    await OpenFeature.close();
    await client.close();
  });
});
await say("ready");
