import os from "node:os";
import type { WriteBenchOptions } from "./write-args";
import type { CpuSnapshot } from "./write-cpu";
import type { histogramSummaryMs } from "./write-metrics";
import { fmt, median, table, type Percentiles } from "./write-stats";

/** The per-run tables and the summary with medians that bench/write-throughput.ts prints. */
export const TARGET_WRITES = 2000;
export const TARGET_LAG_P99_MS = 50;
export const DRAIN_TIMEOUT_MS = 30_000;

export interface RunResult {
  writesPerSec: number;
  ok: number;
  latencyMs: Percentiles;
  statuses: Record<string, number>;
  errorSamples: string[];
  lagMs: Percentiles;
  appLag: ReturnType<typeof histogramSummaryMs> | null;
  relayLag: ReturnType<typeof histogramSummaryMs> | null;
  /** Group commit in the writing process: queue wait, batch duration, batch size (mean). */
  groupCommit: { queue: ReturnType<typeof histogramSummaryMs>; batch: ReturnType<typeof histogramSummaryMs>; meanSize: number } | null;
  immediate: Record<string, number> | null;
  relayApplied: number | null;
  drainMs: number | null;
  dead: number;
  checked: number;
  mismatches: string[];
  loadAvg: number[];
  /** CPU ms per successful write, by component, over the measured window. */
  cpuPerWrite: CpuSnapshot;
  /** Share of the machine's busy CPU in the window that was NOT this benchmark's processes. */
  otherCpuShare: number;
}

function statusText(s: Record<string, number>): string {
  const entries = Object.entries(s).sort();
  return entries.map(([k, v]) => `${k}:${v}`).join(" ") || "-";
}

export function printRun(run: number, r: RunResult): void {
  const rows = [
    ["metric", "value"],
    ["writes/s (2xx)", fmt(r.writesPerSec, 0)],
    ["successful writes", String(r.ok)],
    ["HTTP latency p50 / p95 / p99 / max (ms)", `${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p95)} / ${fmt(r.latencyMs.p99)} / ${fmt(r.latencyMs.max)}`],
    ["responses by status", statusText(r.statuses)],
    ["commit->etcd lag (watch) p50 / p95 / p99 / max (ms)", `${fmt(r.lagMs.p50)} / ${fmt(r.lagMs.p95)} / ${fmt(r.lagMs.p99)} / ${fmt(r.lagMs.max)}`],
    ["etcd puts observed for measured commits", String(r.lagMs.count)],
    ["writer metric commit_to_etcd{immediate} p50 / p99 (ms, bucketed)", r.appLag ? `${fmt(r.appLag.p50)} / ${fmt(r.appLag.p99)} (n=${r.appLag.count})` : "n/a"],
    [
      "group commit: queue wait p50/p99, batch p50/p99 (ms), mean batch",
      r.groupCommit
        ? `${fmt(r.groupCommit.queue.p50)}/${fmt(r.groupCommit.queue.p99)}, ${fmt(r.groupCommit.batch.p50)}/${fmt(r.groupCommit.batch.p99)}, ${r.groupCommit.meanSize.toFixed(1)}`
        : "n/a",
    ],
    ["worker metric commit_to_etcd{relay} p50 / p99 (ms, n)", r.relayLag ? `${fmt(r.relayLag.p50)} / ${fmt(r.relayLag.p99)} (n=${r.relayLag.count})` : "n/a"],
    ["immediate publishes applied/stale/failed", r.immediate ? `${r.immediate.applied}/${r.immediate.stale}/${r.immediate.failed}` : "n/a"],
    ["relay publishes applied", r.relayApplied === null ? "n/a" : String(r.relayApplied)],
    ["outbox drained after (ms)", r.drainMs === null ? `NOT DRAINED in ${DRAIN_TIMEOUT_MS} ms` : String(r.drainMs)],
    ["outbox dead rows", String(r.dead)],
    ["etcd == MySQL", r.mismatches.length ? `NO: ${r.mismatches.length} of ${r.checked} differ` : `yes (${r.checked} keys)`],
    ["load average after run", r.loadAvg.map((x) => x.toFixed(2)).join(" ")],
    ["machine CPU used by other processes in the window", `${fmt(r.otherCpuShare * 100, 0)} %`],
    ...Object.entries(r.cpuPerWrite).map(([k, v]) => [`CPU ms per write: ${k}`, fmt(v, 3)]),
    ["CPU ms per write: server side (app+mariadb+etcd+worker)", fmt(serverCpu(r), 3)],
    [`ceiling on ${os.availableParallelism()} cores from server-side CPU (writes/s)`, fmt((os.availableParallelism() * 1000) / serverCpu(r), 0)],
  ];
  console.log(`\nRun ${run}\n${table(rows)}`);
  for (const e of r.errorSamples) console.log(`  error sample: ${e}`);
  for (const m of r.mismatches.slice(0, 10)) console.log(`  mismatch: ${m}`);
}

const SERVER_SIDE = ["app", "mariadb", "etcd", "worker"];
function serverCpu(r: RunResult): number {
  return SERVER_SIDE.reduce((a, k) => a + (r.cpuPerWrite[k] ?? 0), 0);
}

export function printSummary(results: RunResult[], durability: string, machine: string, mode: string, opts: WriteBenchOptions): void {
  const med = (f: (r: RunResult) => number) => median(results.map(f));
  const writes = med((r) => r.writesPerSec);
  const lagP99 = med((r) => r.lagMs.p99);
  const rows = [
    ["", ...results.map((_, i) => `run ${i + 1}`), "median"],
    ...(
      [
        ["writes/s", (r) => r.writesPerSec, 0],
        ["HTTP p50 ms", (r) => r.latencyMs.p50, 1],
        ["HTTP p95 ms", (r) => r.latencyMs.p95, 1],
        ["HTTP p99 ms", (r) => r.latencyMs.p99, 1],
        ["lag p50 ms", (r) => r.lagMs.p50, 1],
        ["lag p95 ms", (r) => r.lagMs.p95, 1],
        ["lag p99 ms", (r) => r.lagMs.p99, 1],
        ["lag max ms", (r) => r.lagMs.max, 1],
        ["errors", (r) => Object.entries(r.statuses).filter(([k]) => !k.startsWith("2")).reduce((a, [, v]) => a + v, 0), 0],
        ["drain ms", (r) => r.drainMs ?? NaN, 0],
        ["load avg (1m)", (r) => r.loadAvg[0]!, 2],
        ["other procs' CPU %", (r) => r.otherCpuShare * 100, 0],
        ...["app", "mariadb", "etcd", "worker", "load client"].map(
          (k) => [`CPU ms/write ${k}`, (r: RunResult) => r.cpuPerWrite[k] ?? NaN, 3] as [string, (r: RunResult) => number, number],
        ),
        ["CPU ms/write server", serverCpu, 3],
        ["ceiling writes/s", (r) => (os.availableParallelism() * 1000) / serverCpu(r), 0],
      ] as [string, (r: RunResult) => number, number][]
    ).map(([name, f, d]) => [name, ...results.map((r) => fmt(f(r), d)), fmt(med(f), d)]),
  ];
  console.log(`\nSummary (${machine}; writes to ${opts.target}${opts.batch > 1 ? `, ${opts.batch} changes per request (POST /api/v1/value-changes)` : ", one PUT per change"}${opts.keyed ? "; Idempotency-Key on every request" : ""}; ${durability}; ${mode}, ${opts.flags} flags, ${opts.seconds} s measured)`);
  console.log(table(rows));
  const verified = results.every((r) => !r.mismatches.length && r.drainMs !== null && !r.dead);
  console.log(
    `\nTarget >= ${TARGET_WRITES} writes/s: ${writes >= TARGET_WRITES ? "MET" : "NOT MET"} (${fmt(writes, 0)}); ` +
      `lag p99 <= ${TARGET_LAG_P99_MS} ms: ${lagP99 <= TARGET_LAG_P99_MS ? "MET" : "NOT MET"} (${fmt(lagP99)} ms); ` +
      `etcd == MySQL and outbox drained: ${verified ? "yes" : "NO"}`,
  );
}
