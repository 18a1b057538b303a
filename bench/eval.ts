/**
 * Evaluation benchmark: evaluations per second in one process, MizuFlow's SDK side by
 * side with unleash-client and @openfeature/flagd-core in the same run, on equivalent flags, each
 * through the API its users call (ours: the SDK client's getBoolean with a context):
 *  (a) a plain flag, (b) a 50 % sticky rollout behind an IN constraint on a 20-value list, over
 * 100,000 distinct user ids. Prints medians of several runs, then the SDK's memory for 10,000 flags
 * with 5 rules each.
 *
 *   node --expose-gc --import tsx bench/eval.ts [--runs 5] [--ms 1000]
 *
 * Targets (issue 14): (a) >= 20 M/s; (b) >= 1.5x flagd-core.
 */
import os from "node:os";
import { flagd, mizuflow, TENANTS, unleash, type Engine } from "./lib/eval-engines";
import { measureDocuments, measureSdkMemory } from "./lib/eval-memory";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? Number.NaN : Number(process.argv[i + 1]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const RUNS = arg("runs", 5);
const RUN_MS = arg("ms", 1000);
const USERS = 100_000;

const userIds = Array.from({ length: USERS }, (_, i) => `user-${i}-${(i * 2654435761) % 1_000_003}`);
const tenants = Array.from({ length: USERS }, (_, i) => TENANTS[i % TENANTS.length]!);

type Scenario = "plain" | "rollout";

/** Evaluations per second over one timed run (batches of 100,000 between clock reads). */
function measure(engine: Engine, scenario: Scenario): { perSec: number; on: number } {
  const fn = engine[scenario];
  let n = 0;
  let on = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < RUN_MS) {
    for (let i = 0; i < USERS; i++) if (fn(userIds[i]!, tenants[i]!)) on++;
    n += USERS;
    elapsed = performance.now() - start;
  }
  return { perSec: (n / elapsed) * 1000, on: on / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (perSec: number) => `${(perSec / 1e6).toFixed(2)} M/s`;

const engines = [mizuflow(), flagd(), unleash()];
const scenarios: Scenario[] = ["plain", "rollout"];
const results = new Map<string, number[]>();
const shares = new Map<string, number>();

console.log(`[bench:eval] node ${process.version}, ${os.cpus().length} cpu(s), load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`[bench:eval] ${RUNS} runs x ${RUN_MS} ms per engine and scenario, ${USERS.toLocaleString()} distinct user ids`);
for (const e of engines) for (const s of scenarios) measure(e, s); // warm-up: JIT and caches
// Interleave engines within each run so background load hits them alike.
for (let r = 0; r < RUNS; r++) {
  for (const s of scenarios) {
    for (const e of engines) {
      const { perSec, on } = measure(e, s);
      const key = `${e.name}/${s}`;
      results.set(key, [...(results.get(key) ?? []), perSec]);
      shares.set(key, on);
    }
  }
}

// Issue 14's targets: (a) an absolute rate (meaningful on an idle machine only), (b) a ratio.
const TARGETS: Record<Scenario, { text: string; met(ours: number, flagdCore: number): boolean }> = {
  plain: { text: ">= 20 M/s", met: (ours) => ours >= 20e6 },
  rollout: { text: ">= 1.5x flagd-core", met: (ours, f) => ours >= 1.5 * f },
};

const rows = scenarios.map((s) => {
  const m = (name: string) => median(results.get(`${name}/${s}`)!);
  const ours = m("mizuflow");
  return {
    scenario: s === "plain" ? "(a) plain flag" : "(b) 50% rollout behind IN (20 values)",
    mizuflow: fmt(ours),
    "flagd-core": fmt(m("flagd-core")),
    "unleash-client": fmt(m("unleash-client")),
    "vs flagd": `${(ours / m("flagd-core")).toFixed(2)}x`,
    "vs unleash": `${(ours / m("unleash-client")).toFixed(2)}x`,
    "share on (ours/flagd/unleash)": engines.map((e) => `${(shares.get(`${e.name}/${s}`)! * 100).toFixed(1)}%`).join(" / "),
    target: TARGETS[s].text,
    met: TARGETS[s].met(ours, m("flagd-core")) ? "yes" : "no",
  };
});
console.table(rows);
console.log(`[bench:eval] load at the end ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (absolute rates move with load; compare the ratios of one run)`);

const mem = measureSdkMemory(10_000);
console.log(
  `[bench:eval] SDK memory, 10,000 flags x 5 rules (compiled): ${(mem.bytes / 1024 / 1024).toFixed(1)} MiB retained` +
    ` (${Math.round(mem.bytes / 10_000).toLocaleString()} bytes/flag)${mem.gcForced ? "" : " -- run with --expose-gc for an exact figure"}`,
);
const docs = measureDocuments(10_000);
console.log(
  `[bench:eval] for scale, the same flags as parsed documents: ${(docs.bytes / 1024 / 1024).toFixed(1)} MiB` +
    ` (JSON ${(docs.jsonBytes / 1024 / 1024).toFixed(1)} MiB); check: ${mem.keepAlive.size} compiled, ${docs.keepAlive.length} documents`,
);
