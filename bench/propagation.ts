/**
 * Commit-to-SDK propagation benchmark (docs/PROTOCOL.md).
 *
 *   npx tsx bench/propagation.ts --streams 2000 --changes 50 [--change rules]
 *
 * Starts MariaDB + etcd (or uses DATABASE_URL / ETCD_ENDPOINTS), seeds one flag and SDK keys, and
 * for each target server opens N SSE streams from a separate load-client process, then commits
 * flag changes through the service verb with the write path's immediate publish. Each stream
 * records receipt time minus the event's updatedAt (commit time). Targets:
 *   sidecar  workers/stream-server (node:http), the production path for SDK traffic
 *   next     the Next.js route handler under `next start` (needs a production build)
 *   raw      a trivial node:http SSE server broadcasting the same bytes (the floor)
 * RSS per stream = (server RSS with N streams - RSS before) / N, after a GC for node targets.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "../scripts/lib/local-services";
import { parseArgs, type PropagationArgs } from "./lib/propagation-args";
import { ROOT, ask, openFileLimits, spawnNode, stopChild, treeRss } from "./lib/propagation-children";
import { startStack, type BenchStack } from "./lib/propagation-setup";
import { summarize, table, type LatencySummary } from "./lib/propagation-stats";

interface TargetResult {
  target: string;
  connected: number;
  failed: number;
  connectMs: number;
  /** updatedAt (commit) -> receipt by the load client. */
  latency: LatencySummary;
  /** etcd publish (seen by the orchestrator's own watch) -> receipt: the delivery layer's share. */
  fromEtcd: LatencySummary;
  /** Server-side: time to write one event to every stream (null where not measurable). */
  fanOut: LatencySummary | null;
  expected: number;
  rssPerStream: number;
}

/** When each version of the benchmark flag appeared in etcd (the orchestrator's own watch). */
const etcdSeenAt = new Map<number, number>();
const commitAt = new Map<number, number>();

const STREAM_PATH = "/api/sdk/v1/stream";
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startTarget(target: string, stack: BenchStack, args: PropagationArgs, key: string) {
  const env = { DATABASE_URL: stack.databaseUrl, ETCD_ENDPOINTS: stack.etcdEndpoints.join(","), ETCD_PREFIX: stack.etcdPrefix };
  const fds = args.streams + 500;
  if (target === "next") {
    const port = await freePort();
    const child = spawnNode(NEXT_BIN, {
      args: ["start", "-p", String(port), "-H", "127.0.0.1"],
      tsx: false,
      env: { ...env, NODE_ENV: "production", AUTH_SECRET: randomBytes(32).toString("hex"), NEXT_TELEMETRY_DISABLED: "1" },
      fds,
    });
    // Ready once the route answers (which also starts its watch hub).
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      if (Date.now() > deadline) throw new Error("next start did not serve /api/sdk/v1/flags within 60 s");
      const ok = await fetch(`http://127.0.0.1:${port}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${key}` } })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
    }
    return { child, port, rss: async () => treeRss(child.pid!) };
  }
  const script = target === "sidecar" ? "bench/lib/propagation-sidecar-child.ts" : "bench/lib/propagation-raw-child.ts";
  const child = spawnNode(script, { nodeArgs: ["--expose-gc"], env, fds });
  const { port } = await ask<{ port: number }>(child, {}, "ready", 60_000);
  return { child, port, rss: async () => (await ask<{ rss: number }>(child, { type: "rss" }, "rss")).rss };
}

async function runTarget(target: string, stack: BenchStack, args: PropagationArgs, keys: string[]): Promise<TargetResult> {
  console.log(`[bench] ${target}: starting server`);
  const server = await startTarget(target, stack, args, keys[0]!);
  const clients: ChildProcess[] = [];
  try {
    await sleep(300);
    const before = await server.rss();
    const shares = Array.from({ length: args.clients }, (_, j) => Math.floor(args.streams / args.clients) + (j < args.streams % args.clients ? 1 : 0)).filter((n) => n > 0);
    for (const _ of shares) clients.push(spawnNode("bench/lib/propagation-load-client.ts", { fds: args.streams + 200 }));
    await Promise.all(clients.map((c) => ask(c, {}, "ready", 60_000)));
    console.log(`[bench] ${target}: opening ${args.streams} streams from ${clients.length} load-client process(es)`);
    let offset = 0;
    const openings = await Promise.all(
      clients.map((c, j) => {
        const req = { type: "open", port: server.port, path: STREAM_PATH, keys, streams: shares[j]!, concurrency: Math.ceil(args.connectConcurrency / clients.length), offset };
        offset += shares[j]!;
        return ask<{ connected: number; failed: number; ms: number }>(c, req, "opened", 600_000);
      }),
    );
    const opened = {
      connected: openings.reduce((a, o) => a + o.connected, 0),
      failed: openings.reduce((a, o) => a + o.failed, 0),
      ms: Math.max(...openings.map((o) => o.ms)),
    };
    console.log(`[bench] ${target}: ${opened.connected} streams open in ${opened.ms} ms (${opened.failed} failed)`);
    await sleep(500);
    const after = await server.rss();

    // A version is complete once every load client has it on all of its streams.
    const complete = new Map<number, number>();
    for (const c of clients) {
      c.on("message", (m: { type?: string; version?: number }) => {
        if (m.type === "complete") complete.set(m.version!, (complete.get(m.version!) ?? 0) + 1);
      });
    }
    const done = (v: number) => (complete.get(v) ?? 0) >= clients.length;
    for (let i = 0; i < args.changes; i++) {
      const version = args.change === "rules" ? await stack.changeRules(i % 2 === 0) : await stack.change(i % 2 === 0);
      const deadline = Date.now() + 10_000;
      while (!done(version) && Date.now() < deadline) await sleep(2);
      if (!done(version)) console.log(`[bench] ${target}: version ${version} did not reach every stream within 10 s`);
      await sleep(args.gapMs);
    }
    const parts = await Promise.all(
      clients.map((c) => ask<{ latencies: number[]; receiptVersions: number[]; receiptTimes: number[] }>(c, { type: "collect" }, "samples")),
    );
    const samples = {
      latencies: parts.flatMap((p) => p.latencies),
      receiptVersions: parts.flatMap((p) => p.receiptVersions),
      receiptTimes: parts.flatMap((p) => p.receiptTimes),
    };
    const fromEtcd = samples.receiptTimes.map((t, i) => t - (etcdSeenAt.get(samples.receiptVersions[i]!) ?? Number.NaN)).filter(Number.isFinite);
    const stats = target === "next" ? null : await ask<{ fanOutMs: number[] }>(server.child, { type: "server-stats" }, "server-stats");
    return {
      target,
      connected: opened.connected,
      failed: opened.failed,
      connectMs: opened.ms,
      latency: summarize(samples.latencies),
      fromEtcd: summarize(fromEtcd),
      fanOut: stats ? summarize(stats.fanOutMs) : null,
      expected: opened.connected * args.changes,
      rssPerStream: opened.connected ? (after - before) / opened.connected : Number.NaN,
    };
  } finally {
    await Promise.all(clients.map((c) => stopChild(c)));
    await stopChild(server.child);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const limits = openFileLimits();
  console.log(`[bench] open files: soft ${limits.soft}, hard ${limits.hard}; each of server and load client needs about ${args.streams + 200}`);
  if (limits.hard < args.streams + 200) {
    console.log(`[bench] WARNING: the hard limit is too low for ${args.streams} streams; raise it (e.g. \`ulimit -Hn 20000\` as root, or LimitNOFILE=)`);
  }
  const stack = await startStack();
  console.log(`[bench] services: ${stack.hermetic ? "hermetic MariaDB + etcd" : "DATABASE_URL / ETCD_ENDPOINTS"}`);
  // One key for every stream, from one address (127.0.0.1), under the production admission
  // settings: what a service's fleet behind a NAT gateway or load balancer looks like.
  const keys = [await stack.newSdkKey("bench fleet")];
  const results: TargetResult[] = [];
  const watcher = await stack.etcd.root.watch().prefix("flags/").create();
  watcher.on("put", (kv) => {
    const doc = JSON.parse(kv.value.toString("utf8")) as { version: number; updatedAt: string };
    etcdSeenAt.set(doc.version, Date.now());
    commitAt.set(doc.version, Date.parse(doc.updatedAt));
  });
  try {
    for (const target of args.targets) {
      if (target === "next" && !existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
        console.log("[bench] next: SKIPPED - no production build (.next/BUILD_ID). Build it with `npx next build`, then rerun.");
        continue;
      }
      results.push(await runTarget(target, stack, args, keys));
    }
  } finally {
    await watcher.cancel();
    await stack.stop();
  }

  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
  const ms1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
  const writePath = summarize([...etcdSeenAt].map(([v, t]) => t - commitAt.get(v)!).filter(Number.isFinite));
  console.log(`\n${args.streams} streams x ${args.changes} changes; latencies in milliseconds`);
  console.log(`write path alone (updatedAt -> event seen by a plain etcd watch): p50 ${ms(writePath.p50)}, p95 ${ms(writePath.p95)}, p99 ${ms(writePath.p99)}, max ${ms(writePath.max)}\n`);
  console.log(
    table(
      ["target", "streams", "received", "commit>client p50", "p95", "p99", "max", "etcd>client p50", "p99", "fan-out p50", "max", "KB/stream", "connect s"],
      results.map((r) => [
        r.target,
        `${r.connected}${r.failed ? ` (${r.failed} failed)` : ""}`,
        `${r.latency.count}/${r.expected}`,
        ms(r.latency.p50),
        ms(r.latency.p95),
        ms(r.latency.p99),
        ms(r.latency.max),
        ms(r.fromEtcd.p50),
        ms(r.fromEtcd.p99),
        r.fanOut ? ms1(r.fanOut.p50) : "-",
        r.fanOut ? ms1(r.fanOut.max) : "-",
        (r.rssPerStream / 1024).toFixed(1),
        (r.connectMs / 1000).toFixed(1),
      ]),
    ),
  );
  const sidecar = results.find((r) => r.target === "sidecar");
  const raw = results.find((r) => r.target === "raw");
  if (sidecar) {
    console.log(`\nsidecar: p50 ${ms(sidecar.latency.p50)} ms, p99 ${ms(sidecar.latency.p99)} ms, ${(sidecar.rssPerStream / 1024).toFixed(1)} KB/stream`);
    if (raw) console.log(`sidecar p99 / raw p99 = ${(sidecar.latency.p99 / Math.max(1, raw.latency.p99)).toFixed(2)}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
