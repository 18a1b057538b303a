/**
 * Minimal Node use of the MizuFlow SDK: serve flags from memory, follow changes live, survive a
 * server outage with the local snapshot.
 *
 *   MIZUFLOW_URL=http://localhost:3000 MIZUFLOW_SDK_KEY=mf_... npx tsx examples/sdk-node.ts
 */
import { createClient } from "@mizuflow/sdk/node";

const client = createClient({
  url: process.env.MIZUFLOW_URL ?? "http://localhost:3000",
  sdkKey: process.env.MIZUFLOW_SDK_KEY ?? "",
  snapshotPath: ".data/mizuflow-snapshot.json",
});

client.on("state", (e) => console.log(`state ${e.previous} -> ${e.state}${e.reason ? ` (${e.reason})` : ""}`));
client.on("change", (e) =>
  console.log(`${e.namespace}/${e.key}: ${JSON.stringify(e.oldValue)} -> ${JSON.stringify(e.newValue)} (v${e.newVersion}, rev ${e.revision})`),
);

// Resolves on the first live snapshot, or at once from the local snapshot if the server is down.
await client.ready({ timeoutMs: 10_000 });
console.log(`ready (${client.state}) at revision ${client.revision}`);
console.log("checkout/new-checkout-flow =", client.getBoolean("checkout", "new-checkout-flow", false));

process.on("SIGINT", () => void client.close().then(() => process.exit(0)));
