// Compiled by tsc with "module": "nodenext" in the scratch project: the declarations resolve for
// `import` (here) and `require` (types-check.cts, the same text), and carry real types.
import { createClient as createBrowserClient, localStorageSnapshotStore, type MizuFlowClient } from "@mizuflow/sdk";
import { createClient, fileSnapshotStore } from "@mizuflow/sdk/node";
import { MizuFlowServerProvider } from "@mizuflow/sdk/openfeature/server";
import { MizuFlowWebProvider } from "@mizuflow/sdk/openfeature/web";
import { MizuFlowProvider, useFlag } from "@mizuflow/react";

const client: MizuFlowClient = createClient({ url: "http://localhost:8787", sdkKey: "mf_sdk_x", snapshotPath: "/tmp/flags.json" });
const on: boolean = client.getBoolean("checkout", "new-flow", false);
// @ts-expect-error a boolean flag's default is a boolean (unused, hence an error, if the types were any)
client.getBoolean("checkout", "new-flow", "yes");
export function Banner(): string {
  // @ts-expect-error useFlag is typed by its default: a string default gives a string
  const n: number = useFlag("checkout", "banner", "hello");
  return String(n);
}
export const all = [createBrowserClient, localStorageSnapshotStore, fileSnapshotStore, MizuFlowServerProvider, MizuFlowWebProvider, MizuFlowProvider, on];
