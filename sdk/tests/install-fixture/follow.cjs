// The same program as follow.mjs, loaded through require(): the CommonJS build of every entry.
const { OpenFeature } = require("@openfeature/server-sdk");
const { createClient: createBrowserClient } = require("@mizuflow/sdk");
const { createClient } = require("@mizuflow/sdk/node");
const { MizuFlowServerProvider } = require("@mizuflow/sdk/openfeature/server");
const { MizuFlowWebProvider } = require("@mizuflow/sdk/openfeature/web");

async function main() {
  const [url, sdkKey] = process.argv.slice(2);
  const client = createClient({ url, sdkKey, reportRevision: false });
  await client.ready({ live: true, timeoutMs: 10_000 });
  await OpenFeature.setProviderAndWait(new MizuFlowServerProvider({ client, defaultNamespace: "checkout" }));
  const flags = OpenFeature.getClient();
  const say = async (what) =>
    console.log(JSON.stringify({ what, module: "cjs", direct: client.getBoolean("checkout", "new-flow", false), openFeature: await flags.getBooleanValue("new-flow", false), universalEntry: typeof createBrowserClient, webProvider: typeof MizuFlowWebProvider }));
  client.on("change", (e) => {
    if (e.key !== "new-flow") return;
    void say("changed").then(async () => {
      await OpenFeature.close();
      await client.close();
    });
  });
  await say("ready");
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
