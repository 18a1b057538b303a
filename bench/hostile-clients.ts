/**
 * Slow and hostile clients against the sidecar stream server (workers/stream-server).
 *
 *   npx tsx bench/hostile-clients.ts [--streams 2000] [--rounds 30] [--stalled 0,1,10] [--attempts 5000]
 *
 * Starts MariaDB + etcd (or uses DATABASE_URL / ETCD_ENDPOINTS), runs the stream server alone in a
 * child process (so its RSS and event loop are its own) and, from this process:
 *  1. opens N healthy SSE streams (raw TCP, reading promptly);
 *  2. for 0, 1 and 10 stalled consumers (a valid stream request, then never a byte read) measures
 *     the healthy streams' delivery latency (etcd publish -> receipt) over R flag changes, while
 *     64 KiB events aimed at the stalled consumers' scope pile up in their buffers until the server
 *     cuts them (the same bulk traffic runs in the 0-stalled phase, so phases compare fairly);
 *  3. floods the server with bad-key connects: malformed keys, unknown well-formed keys (distinct,
 *     and one repeated), without and with the per-address rate limit; reports rejects per second
 *     and the server's descriptors and RSS before and after.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { SYSTEM_ACTOR } from "../lib/auth/actor";
import { createDb } from "../lib/db/client";
import { createEtcd } from "../lib/etcd/client";
import { publishFenced } from "../lib/etcd/fence";
import { metrics } from "../lib/observability/metrics";
import { createNamespace } from "../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../lib/sdk-keys/create-sdk-key";
import { startStreamServer } from "../workers/stream-server/server";
import { HealthyFleet, STREAM_PATH, openStalled, summarize } from "../tests/support/hostile/raw-streams";
import { startStack } from "./lib/propagation-setup";

const ENV = "production";
const BULK_BYTES = 64 * 1024;

// -- child: the stream server ------------------------------------------------------------------

async function serverChild(): Promise<void> {
  const db = createDb(process.env.DATABASE_URL!, 4);
  const { root } = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
  // One server without admission limits (so the bad-key floods measure what each reject costs when
  // it reaches the key check), one with the production defaults, sharing the watch hub. Healthy
  // streams from 127.0.0.1 would pass either: valid keys are never limited by address.
  const open = await startStreamServer({ db, root, rateLimit: false, ringSize: 64 });
  const limited = await startStreamServer({ db, root, hub: open.hub });
  if (!(await open.hub.whenReady(30_000))) throw new Error("hub not ready");
  const slowCuts = async () => (await metrics.slowConsumerDisconnects.get()).values.reduce((a, v) => a + v.value, 0);
  process.on("message", async (m: { type?: string }) => {
    if (m?.type !== "stats") return;
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const mem = process.memoryUsage();
    process.send!({
      type: "stats",
      rss: mem.rss,
      heap: mem.heapUsed + mem.external,
      fds: readdirSync("/proc/self/fd").length,
      streams: open.core.openStreams + limited.core.openStreams,
      slowCuts: await slowCuts(),
    });
  });
  process.on("SIGTERM", () => void Promise.all([limited.close(), open.close()]).finally(() => process.exit(0)));
  process.send!({ type: "ready", port: open.port, limitedPort: limited.port });
}

// -- parent: load and measurements -------------------------------------------------------------

interface Stats {
  rss: number;
  heap: number;
  fds: number;
  streams: number;
  slowCuts: number;
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type?: string }) => {
      if (m?.type !== type) return;
      child.off("message", on);
      resolve(m as T);
    };
    child.on("message", on);
    child.send({ type });
  });
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const ms = (x: number) => x.toFixed(1);

function attempt(agent: http.Agent, port: number, key: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: STREAM_PATH, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
  });
}

async function flood(port: number, n: number, key: (i: number) => string): Promise<{ perSecond: number; statuses: Record<number, number> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const statuses: Record<number, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) {
        const s = await attempt(agent, port, key(next++));
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { perSecond: n / seconds, statuses };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { streams: { type: "string", default: "2000" }, rounds: { type: "string", default: "30" }, stalled: { type: "string", default: "0,1,10" }, attempts: { type: "string", default: "5000" } },
  });
  const streams = Number(values.streams);
  const rounds = Number(values.rounds);
  const stalledCounts = values.stalled!.split(",").map(Number);
  const attempts = Number(values.attempts);

  const stack = await startStack();
  const ctx = { db: stack.db, actor: SYSTEM_ACTOR };
  await createNamespace({ ctx, input: { key: "bulk", name: "Bulk" } });
  const healthyKey = (await createSdkKey({ ctx, input: { name: "healthy", environment: ENV, namespaces: ["bench"] } })).key;
  const stalledKey = (await createSdkKey({ ctx, input: { name: "stalled", environment: ENV, namespaces: null } })).key;

  const child = fork(new URL(import.meta.url).pathname, ["--server-child"], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, DATABASE_URL: stack.databaseUrl, ETCD_ENDPOINTS: stack.etcdEndpoints.join(","), ETCD_PREFIX: stack.etcdPrefix },
  });
  const { port, limitedPort } = await new Promise<{ port: number; limitedPort: number }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port: number; limitedPort: number }));
    child.once("exit", (code) => reject(new Error(`server child exited (${code})`)));
  });
  const stats = () => ask<Stats>(child, "stats");
  const lat = { environment: ENV, namespace: "bench", key: "hostile-latency" };
  const bulk = { environment: ENV, namespace: "bulk", key: "blob" };
  let latVersion = 0;
  let bulkVersion = 0;
  const blob = "x".repeat(BULK_BYTES);
  const put = (address: typeof lat, version: number, value: string) =>
    publishFenced(stack.etcd.root, {
      op: "put",
      address,
      version,
      document: { namespace: address.namespace, key: address.key, type: "string", value, version, updatedAt: new Date().toISOString() },
    });

  try {
    await put(lat, ++latVersion, "start");
    const before = await stats();
    const t0 = performance.now();
    const fleet = await HealthyFleet.open(port, healthyKey, streams);
    const connectMs = performance.now() - t0;
    const withStreams = await stats();
    console.log(`${streams} healthy streams open in ${(connectMs / 1000).toFixed(1)} s; server RSS ${mib(before.rss)} -> ${mib(withStreams.rss)}`);

    // Warm-up (JIT, buffers) before anything is measured.
    for (let r = 0; r < 5; r++) await fleet.round(`warm-${r}-${randomBytes(3).toString("hex")}`, () => put(lat, ++latVersion, `warm-${r}`));

    const rows: string[][] = [];
    for (const n of stalledCounts) {
      const s0 = await stats();
      const stalled = await Promise.all(Array.from({ length: n }, () => openStalled(port, stalledKey)));
      const samples: number[] = [];
      let missing = 0;
      for (let r = 0; r < rounds; r++) {
        // 8 bulk events (512 KiB) per round: after a few rounds each stalled consumer's kernel
        // buffers and its 1 MiB server-side limit are full and it is cut.
        for (let i = 0; i < 8; i++) await put(bulk, ++bulkVersion, `${bulkVersion}-${blob}`);
        // Let the bulk events' own fan-out finish: the measurement is about what the stalled
        // consumers' full buffers cost the others, not about parsing 512 KiB of JSON.
        await new Promise((r) => setTimeout(r, 25));
        const marker = `s${n}-r${r}-${randomBytes(3).toString("hex")}`;
        const res = await fleet.round(marker, () => put(lat, ++latVersion, marker));
        samples.push(...res.latencies);
        missing += res.missing;
      }
      const s1 = await stats();
      const sum = summarize(samples);
      rows.push([String(n), String(sum.n), ms(sum.p50), ms(sum.p99), ms(sum.max), String(missing), `${s1.slowCuts - s0.slowCuts}/${n}`, mib(s1.rss), mib(s1.heap)]);
      for (const s of stalled) s.socket.destroy();
      await new Promise((r) => setTimeout(r, 300));
    }
    console.log(`\nHealthy-stream latency, etcd publish -> receipt (${streams} streams, ${rounds} changes; bulk 64 KiB events at the stalled scope between changes)`);
    printTable(["stalled", "samples", "p50 ms", "p99 ms", "max ms", "missed", "cut", "server RSS", "heap+ext"], rows);
    fleet.close();
    await new Promise((r) => setTimeout(r, 500));

    await flood(port, 1_000, (i) => `warm-up-${i}`); // connections and JIT, not measured
    const b0 = await stats();
    const keyRows: string[][] = [];
    const runFlood = async (label: string, p: number, key: (i: number) => string) => {
      const f = await flood(p, attempts, key);
      keyRows.push([label, String(attempts), f.perSecond.toFixed(0), Object.entries(f.statuses).map(([s, c]) => `${s}x${c}`).join(" ")]);
    };
    const wellFormed = () => `mf_sdk_${randomBytes(32).toString("base64url")}`;
    const repeated = wellFormed();
    await runFlood("malformed keys", port, (i) => `bad-key-${i}`);
    await runFlood("unknown key, repeated", port, () => repeated);
    await runFlood("unknown keys, distinct", port, wellFormed);
    await runFlood("distinct, per-address limit", limitedPort, wellFormed);
    await new Promise((r) => setTimeout(r, 500));
    const b1 = await stats();
    console.log(`\nBad-key connects (64 concurrent keep-alive connections from one address)`);
    printTable(["attempts", "n", "rejected/s", "statuses"], keyRows);
    console.log(`server after the floods: ${b1.streams} streams, fds ${b0.fds} -> ${b1.fds}, RSS ${mib(b0.rss)} -> ${mib(b1.rss)}, heap+ext ${mib(b0.heap)} -> ${mib(b1.heap)}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await stack.stop();
  }
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

if (process.argv.includes("--server-child")) {
  await serverChild();
} else {
  await main();
  process.exit(0);
}
