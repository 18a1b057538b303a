/**
 * Write benchmark: sustained PUT /api/v1/flags/{ns}/{key}/values/{env} through the admin API of a
 * production build (`next start`), with the real worker relaying, measuring writes/s, HTTP latency
 * and commit -> etcd lag, and verifying afterwards that etcd equals MySQL and the outbox drained.
 *
 *   node --import tsx bench/write-throughput.ts [--seconds 20] [--concurrency 64] [--flags 200] [--runs 3]
 *
 * Without DATABASE_URL / ETCD_ENDPOINTS it starts a private MariaDB (durable:
 * innodb_flush_log_at_trx_commit=1 unless --relaxed-durability) and etcd. See bench/lib/write-args.ts
 * for every option. Target (the Foundation issue): >= 2,000 writes/s, commit -> etcd lag p99 <= 50 ms.
 */
import { fork } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeDb, createDb } from "../lib/db/client";
import { createEtcd } from "../lib/etcd/client";
import { parseWriteBenchArgs } from "./lib/write-args";
import { cpuDiff, cpuSnapshot, machineBusyMs, type CpuSnapshot } from "./lib/write-cpu";
import { LagRecorder } from "./lib/write-lag";
import type { LoadMessage, LoadRequest, LoadResult } from "./lib/write-load-client";
import { diffHistogram, histogramSummaryMs, readCounter, readHistogram, scrape } from "./lib/write-metrics";
import { DRAIN_TIMEOUT_MS, printRun, printSummary, type RunResult } from "./lib/write-report";
import { BENCH_NAMESPACE, prepareBenchData } from "./lib/write-seed";
import { ensureBuild } from "./lib/write-build";
import { ROOT, startAppStack, startServices } from "./lib/write-stack";
import { compareEtcdWithMysql, outboxCounts, waitOutboxDrained } from "./lib/write-verify";


const opts = parseWriteBenchArgs(process.argv.slice(2));
const say = (msg: string) => console.log(`[bench] ${msg}`);

// Ctrl-C ends a --keep wait; otherwise it exits at once (the exit hook in write-stack.ts kills the
// app and worker; the hermetic MariaDB and etcd die with this process).
let onInterrupt: (() => void) | null = null;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => (onInterrupt ? onInterrupt() : process.exit(130)));
}

function runLoad(req: LoadRequest, onPhase: (phase: "start" | "end", loadPid: number) => void): Promise<LoadResult> {
  const child = fork(path.join(ROOT, "bench", "lib", "write-load-client.ts"), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.on("message", (m: LoadMessage) => {
      if (m.type === "measure-start") onPhase("start", child.pid!);
      else {
        onPhase("end", child.pid!);
        resolve(m);
      }
    });
    child.once("exit", (code) => reject(new Error(`load client exited (${code}) without a result`)));
    child.send(req);
  });
}

function groupCommitSummary(after: string | null, before: string | null): RunResult["groupCommit"] {
  if (!after || !before) return null;
  const h = (name: string) => diffHistogram(readHistogram(after, name, {}), readHistogram(before, name, {}));
  const size = h("mizuflow_value_write_batch_size");
  return {
    queue: histogramSummaryMs(h("mizuflow_value_write_queue_seconds")),
    batch: histogramSummaryMs(h("mizuflow_value_write_batch_seconds")),
    meanSize: size.count ? size.sum / size.count : NaN,
  };
}

async function main(): Promise<void> {
  const machine = `nproc ${os.availableParallelism()}, ${os.cpus()[0]?.model ?? "?"}, node ${process.version}`;
  say(`machine: ${machine}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const services = await startServices({ relaxedDurability: opts.relaxedDurability });
  const durability =
    services.flushLogAtTrxCommit === "1"
      ? "durable (innodb_flush_log_at_trx_commit=1)"
      : `RELAXED (innodb_flush_log_at_trx_commit=${services.flushLogAtTrxCommit})`;
  say(`${services.hermetic ? "hermetic" : "external"} MariaDB + etcd; durability: ${durability}; logs in ${services.logDir}`);
  const prefix = process.env.ETCD_PREFIX ?? "/mizuflow/v1/";
  const db = createDb(services.databaseUrl, 4);
  const etcd = createEtcd(services.etcdEndpoints, prefix);
  let stack: Awaited<ReturnType<typeof startAppStack>> | null = null;
  try {
    say("migrating and seeding ...");
    const data = await prepareBenchData(db, services.databaseUrl, opts.flags);
    say(`${opts.flags} flags x ${data.environments.length} environments = ${data.targets.length} write targets`);
    const build = await ensureBuild(opts.noBuild);
    say(build);
    stack = await startAppStack(services, prefix, opts.cpuProf);
    say(`app (next start) at ${stack.appUrl}; worker relay and admin API at ${stack.sidecarUrl}`);
    const targetUrl = opts.target === "sidecar" ? stack.sidecarUrl : stack.appUrl;
    say(`writes go to the ${opts.target === "sidecar" ? "sidecar's node:http admin API" : "Next.js route handlers"} (${targetUrl})`);
    const lag = new LagRecorder(etcd.root, BENCH_NAMESPACE);
    await lag.start();
    if ((await waitOutboxDrained(db, DRAIN_TIMEOUT_MS)) === null) say("WARNING: seed outbox rows still pending");

    const mode = opts.rate ? `open loop at ${opts.rate} writes/s, at most ${opts.concurrency} in flight` : `closed loop, concurrency ${opts.concurrency}`;
    const results: RunResult[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      say(`run ${run}/${opts.runs}: ${opts.warmup} s warm-up + ${opts.seconds} s measured, ${mode} ...`);
      // The write path's own publish runs in whichever process takes the writes.
      const writerMetrics = () => (opts.target === "sidecar" ? (stack!.workerMetricsUrl ? scrape(stack!.workerMetricsUrl) : Promise.resolve(null)) : scrape(`${stack!.appUrl}/api/metrics`, data.token));
      const appBefore = await writerMetrics();
      const workerBefore = stack.workerMetricsUrl ? await scrape(stack.workerMetricsUrl) : null;
      const cpu: { start?: CpuSnapshot; end?: CpuSnapshot; busy: number[] } = { busy: [] };
      const components = (loadPid: number) => ({ app: stack!.app.proc.pid, mariadb: services.pids().mariadb, etcd: services.pids().etcd, worker: stack!.worker.proc.pid, "load client": loadPid });
      const sample = (loadPid: number) => ({ ...cpuSnapshot(components(loadPid)), "bench (watch)": (process.cpuUsage().user + process.cpuUsage().system) / 1000 });
      const load = await runLoad(
        {
          type: "run",
          port: Number(new URL(targetUrl).port),
          token: data.token,
          targets: data.targets,
          concurrency: opts.concurrency,
          warmupMs: opts.warmup * 1000,
          measureMs: opts.seconds * 1000,
          rate: opts.rate,
          batch: opts.batch,
          keyed: opts.keyed,
        },
        (phase, loadPid) => {
          cpu[phase] = sample(loadPid);
          cpu.busy.push(machineBusyMs());
        },
      );
      const used = cpu.start && cpu.end ? cpuDiff(cpu.end, cpu.start) : {};
      const ours = Object.values(used).reduce((a, b) => a + b, 0);
      const busy = (cpu.busy[1] ?? NaN) - (cpu.busy[0] ?? NaN);
      const loadAvg = os.loadavg();
      const drainMs = await waitOutboxDrained(db, DRAIN_TIMEOUT_MS);
      await new Promise((r) => setTimeout(r, 300)); // last watch events
      const appAfter = await writerMetrics();
      const workerAfter = stack.workerMetricsUrl ? await scrape(stack.workerMetricsUrl) : null;
      const cmp = await compareEtcdWithMysql(db, etcd.root, BENCH_NAMESPACE);
      const counts = await outboxCounts(db);
      const hist = (text: string | null, before: string | null, p: string) =>
        text && before
          ? histogramSummaryMs(diffHistogram(readHistogram(text, "mizuflow_commit_to_etcd_seconds", { path: p }), readHistogram(before, "mizuflow_commit_to_etcd_seconds", { path: p })))
          : null;
      const r: RunResult = {
        writesPerSec: load.ok / ((load.measureEnd - load.measureStart) / 1000),
        ok: load.ok,
        latencyMs: load.latencyMs,
        statuses: load.statuses,
        errorSamples: load.errorSamples,
        lagMs: lag.window(load.measureStart, load.measureEnd),
        appLag: hist(appAfter, appBefore, "immediate"),
        relayLag: hist(workerAfter, workerBefore, "relay"),
        groupCommit: groupCommitSummary(appAfter, appBefore),
        immediate:
          appAfter && appBefore
            ? Object.fromEntries(
                ["applied", "stale", "failed"].map((o) => [
                  o,
                  readCounter(appAfter, "mizuflow_immediate_published_total", { outcome: o }) -
                    readCounter(appBefore, "mizuflow_immediate_published_total", { outcome: o }),
                ]),
              )
            : null,
        relayApplied:
          workerAfter && workerBefore
            ? readCounter(workerAfter, "mizuflow_relay_published_total", { outcome: "applied" }) -
              readCounter(workerBefore, "mizuflow_relay_published_total", { outcome: "applied" })
            : null,
        drainMs,
        dead: counts.dead,
        checked: cmp.checked,
        mismatches: cmp.mismatches,
        loadAvg,
        cpuPerWrite: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, load.ok ? v / load.ok : NaN])),
        otherCpuShare: busy > 0 ? Math.max(0, (busy - ours) / busy) : NaN,
      };
      results.push(r);
      printRun(run, r);
    }
    printSummary(results, durability, machine, mode, opts);
    if (opts.json) await writeFile(opts.json, JSON.stringify({ machine, durability, opts, results }, null, 2));
    const failedChecks = results.some((r) => r.mismatches.length || r.drainMs === null || r.dead);
    if (failedChecks) process.exitCode = 2;
    if (opts.keep) {
      say(`--keep: stack left running (app ${stack.appUrl}, token ${data.token}); Ctrl-C to stop`);
      await new Promise<void>((r) => (onInterrupt = r));
      onInterrupt = null;
    }
    await lag.stop();
  } finally {
    await stack?.stop();
    etcd.client.close();
    await closeDb(db);
    await services.stop();
  }
}

main().catch((err: unknown) => {
  console.error("[bench] failed:", err instanceof Error ? err.stack : err);
  process.exit(1);
});
