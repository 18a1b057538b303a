/**
 * The SDK with targeting at scale: 10,000 flags with 5 rules each (IN list, STR_ENDS_WITH, SEMVER +
 * IN + a segment, a 25 % gate, an IN_CIDR split; the shapes of bench/lib/eval-memory.ts) in the
 * delivery contract's wire shape. Prints:
 *  - the snapshot's size on the wire (the `snapshot` event's data / GET /api/sdk/v1/flags body),
 *    raw and gzipped;
 *  - the SDK client's retained heap after applying it (documents held, nothing compiled yet: the
 *    client compiles lazily) and after every flag was evaluated once (all compiled);
 *  - the time to parse and apply the snapshot, to compile everything (first evaluation of each
 *    flag), one rule change (put + recompile of that flag), and warm evaluations per second through
 *    `client.getDetails` with a context.
 * The client is the real one (sdk/src/client.ts) fed by an in-process EventSource, so nothing but
 * the SDK is measured.
 *
 *   node --expose-gc --import tsx bench/sdk-memory.ts [--flags 10000]
 */
import { benchTargeting } from "./lib/eval-memory";
import os from "node:os";
import { gzipSync } from "node:zlib";
import { createClient } from "../sdk/src/client";
import { targetingEngine } from "../sdk/src/local-eval/targeting-entry";
import { createFlagSet } from "../sdk/src/targeting/flag-set";
import { FlagTargetingSchema } from "../sdk/src/targeting/model";
import { FeedEventSource } from "./lib/feed-event-source";

const i = process.argv.indexOf("--flags");
const FLAGS = i > 0 && Number(process.argv[i + 1]) > 0 ? Number(process.argv[i + 1]) : 10_000;
const NS = "bench";


const flags = Array.from({ length: FLAGS }, (_, n) => ({ namespace: NS, key: `flag-${n}`, type: "string", value: "control", version: 1, targeting: benchTargeting(n) }));
const segments = [{ namespace: NS, key: "beta", constraints: [{ contextName: "email", operator: "REGEX", value: "^[a-z]+\\.beta@" }], version: 1 }];
const snapshotData = JSON.stringify({ revision: 100, environment: "production", flags, segments });
const plainData = JSON.stringify({ revision: 100, environment: "production", flags: flags.map(({ targeting: _t, ...f }) => f) });
flags.length = 0; // the wire string is all the client gets

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let k = 0; k < 3; k++) gc();
  return process.memoryUsage().heapUsed;
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

const gcForced = typeof (globalThis as { gc?: unknown }).gc === "function";
const base = heapUsed();
const client = createClient({ url: "http://bench.local", sdkKey: "k", EventSource: FeedEventSource, reportRevision: false, targeting: targetingEngine, logger: { warn: () => {}, error: () => {} } });
let t = performance.now();
FeedEventSource.last.send("snapshot", 100, snapshotData);
const applyMs = performance.now() - t;
const held = heapUsed() - base;

const ctx = (n: number) => ({ userId: `user-${n % 1200}`, remoteAddress: `10.0.${n % 255}.1`, properties: { email: `x${n}@mail.example`, plan: n % 3 ? "pro" : "free", appVersion: "2.14.1", country: "JP" } });
t = performance.now();
for (let n = 0; n < FLAGS; n++) client.getDetails(NS, `flag-${n}`, "string", "x", ctx(n));
const compileMs = performance.now() - t;
const compiled = heapUsed() - base;

// Warm evaluations over the first 1,000 flags, the SDK and the engine alone on the same flags and
// contexts, interleaved in 200 ms slices so machine load hits both alike: the ratio is the SDK's
// own cost (lookup, type check, result object) on top of the engine.
const SAMPLE = Math.min(1000, FLAGS);
const contexts = Array.from({ length: 1000 }, (_, n) => ctx(n * 7));
const keys = Array.from({ length: SAMPLE }, (_, n) => `flag-${n}`);
const engineSet = createFlagSet(
  keys.map((key, n) => FlagTargetingSchema.parse({ key, type: "string", value: "control", ...benchTargeting(n) })),
  [{ key: "beta", constraints: [{ contextName: "email", operator: "REGEX", value: "^[a-z]+\\.beta@" }] }],
);
const rate = { sdk: { evals: 0, ms: 0 }, engine: { evals: 0, ms: 0 } };
for (let slice = 0; slice < 10; slice++) {
  for (const who of ["sdk", "engine"] as const) {
    let evals = 0;
    const start = performance.now();
    while (performance.now() - start < 200) {
      if (who === "sdk") for (let n = 0; n < 1000; n++) client.getDetails(NS, keys[n % SAMPLE]!, "string", "x", contexts[n]!);
      else for (let n = 0; n < 1000; n++) engineSet.evaluate(keys[n % SAMPLE]!, contexts[n]!);
      evals += 1000;
    }
    rate[who].evals += evals;
    rate[who].ms += performance.now() - start;
  }
}
const perSec = (rate.sdk.evals / rate.sdk.ms) * 1000;
const enginePerSec = (rate.engine.evals / rate.engine.ms) * 1000;

// One rule change: the put is applied with its id's batch, then the flag recompiles on first use.
const changed = JSON.stringify({ revision: 101, namespace: NS, key: "flag-7", type: "string", value: "control", version: 2, targeting: benchTargeting(8) });
t = performance.now();
FeedEventSource.last.send("put", 101, changed);
await new Promise((r) => setTimeout(r, 0));
client.getDetails(NS, "flag-7", "string", "x", ctx(1));
const changeMs = performance.now() - t;

const wire = Buffer.byteLength(snapshotData);
const gz = gzipSync(snapshotData).length;
console.log(`[bench:sdk-memory] node ${process.version}, ${os.cpus().length} cpu(s), load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${FLAGS.toLocaleString()} flags x 5 rules, 1 segment${gcForced ? "" : " (run with --expose-gc for exact heap figures)"}`);
console.log("| figure | value |");
console.log("|---|---|");
console.log(`| snapshot on the wire (raw JSON) | ${mb(wire)} (${Math.round(wire / FLAGS)} B per flag; without targeting ${mb(Buffer.byteLength(plainData))}) |`);
console.log(`| snapshot on the wire (gzip) | ${kb(gz)} |`);
console.log(`| SDK heap, snapshot applied (documents, nothing compiled) | ${mb(held)} |`);
console.log(`| SDK heap, every flag compiled | ${mb(compiled)} (${Math.round(compiled / FLAGS)} B per flag) |`);
console.log(`| parse + apply the snapshot | ${applyMs.toFixed(0)} ms |`);
console.log(`| compile all (first evaluation of each flag) | ${compileMs.toFixed(0)} ms |`);
console.log(`| one rule change: apply + recompile that flag | ${changeMs.toFixed(2)} ms |`);
console.log(`| warm evaluations via client.getDetails with a context | ${Math.round(perSec).toLocaleString()} /s (engine alone, same flags: ${Math.round(enginePerSec).toLocaleString()} /s; SDK/engine ${(perSec / enginePerSec).toFixed(2)}) |`);
console.log(`[bench:sdk-memory] revision ${client.revision}`);
await client.close();
