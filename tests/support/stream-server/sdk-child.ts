/**
 * An SDK client in its own process, for tests that kill it: connects to MIZUFLOW_URL with
 * MIZUFLOW_SDK_KEY, prints "ready <clientRevision>" once ready, then runs until killed.
 */
import { createClient } from "../../../sdk/src/node";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const client = createClient({ url: process.env.MIZUFLOW_URL!, sdkKey: process.env.MIZUFLOW_SDK_KEY!, logger: silent, reportIntervalMs: 1_000 });
await client.ready();
process.stdout.write(`ready ${client.revision}\n`);
setInterval(() => {}, 60_000);
