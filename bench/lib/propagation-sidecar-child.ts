import { createDb } from "../../lib/db/client";
import { createEtcd } from "../../lib/etcd/client";
import { startStreamServer } from "../../workers/stream-server/server";

/**
 * Benchmark child: the sidecar stream server alone in its process (so its RSS is its own), with
 * the production admission settings: every benchmark stream comes from 127.0.0.1, as a fleet behind
 * one NAT address or load balancer would.
 */
const db = createDb(process.env.DATABASE_URL!, 4);
const { root } = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
const server = await startStreamServer({ db, root, port: 0 });
if (!(await server.hub.whenReady(30_000))) throw new Error("hub not ready");

// Registered after the stream core's listener, so it runs once the batch is written to every stream.
const fanOutMs: number[] = [];
const pushedAfterCommitMs: number[] = [];
server.hub.onBatch((events) => {
  // Node issues the socket writes when each socket is uncorked (process.nextTick); setImmediate
  // runs after all of them, so this is fan-out including the syscalls.
  const started = performance.now() - server.hub.stats().lastFanOutMs;
  setImmediate(() => {
    fanOutMs.push(performance.now() - started);
    for (const ev of events) pushedAfterCommitMs.push(Date.now() - ev.committedAtMs);
  });
});

process.on("message", (m: { type?: string }) => {
  if (m?.type === "server-stats") process.send!({ type: "server-stats", fanOutMs, pushedAfterCommitMs });
  if (m?.type === "rss") {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    process.send!({ type: "rss", rss: process.memoryUsage().rss, streams: server.core.openStreams });
  }
});
process.on("SIGTERM", () => void server.close().finally(() => process.exit(0)));
process.send!({ type: "ready", port: server.port });
