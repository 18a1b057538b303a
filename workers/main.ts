/**
 * Worker entry point (`npm run worker`): outbox relay + reconciler under leader election, plus
 * /metrics and /healthz, and the SDK stream server when STREAM_PORT is set. Shutdown on SIGINT/SIGTERM: resign leadership (a standby takes over at
 * once), drain the relay's current batch, close MySQL and etcd, exit 0; if that takes longer than
 * SHUTDOWN_TIMEOUT_MS, or a second signal arrives, exit 1 at once. Every step is one JSON log line.
 */
import { getEnv } from "../lib/config/env";
import { closeDb, createDb } from "../lib/db/client";
import { createEtcd } from "../lib/etcd/client";
import { startLastSeenFlusher } from "../lib/last-seen/flush-last-seen";
import { startStreamServer, type StreamServer } from "./stream-server/server";
import { describeError, jsonLog } from "./support/log";
import { parseWorkerEnv } from "./worker-env";
import { startWorker } from "./worker-runtime";

async function main(): Promise<void> {
  const env = getEnv();
  const w = parseWorkerEnv(process.env);
  const log = jsonLog({ service: "mizuflow-worker", workerId: w.WORKER_ID }, env.LOG_LEVEL);
  process.on("unhandledRejection", (err) => log("error", "process.unhandled_rejection", { err: describeError(err) }));
  process.on("uncaughtException", (err) => {
    log("error", "process.uncaught_exception", { err: describeError(err) });
    process.exit(1);
  });

  const db = createDb(env.DATABASE_URL, Math.min(env.DB_POOL_SIZE, 10));
  const etcd = createEtcd(env.ETCD_ENDPOINTS, env.ETCD_PREFIX);
  // Endpoints and prefix are not secret; the database URL may hold a password and is never logged.
  log("info", "worker.config", { etcdEndpoints: env.ETCD_ENDPOINTS, etcdPrefix: env.ETCD_PREFIX, leaseTtlSeconds: w.LEASE_TTL_SECONDS });
  const worker = await startWorker({
    db,
    etcd,
    id: w.WORKER_ID,
    leaseTtlSeconds: w.LEASE_TTL_SECONDS,
    reconcileIntervalMs: w.RECONCILE_INTERVAL_MS,
    metricsPort: w.WORKER_METRICS_PORT,
    metricsHost: w.WORKER_METRICS_HOST,
    relayOptions: {
      batchSize: w.RELAY_BATCH_SIZE,
      pollIntervalMs: w.RELAY_POLL_INTERVAL_MS,
      maxAttempts: w.RELAY_MAX_ATTEMPTS,
      retentionMs: w.OUTBOX_RETENTION_DAYS * 24 * 3600_000,
    },
    log,
  });
  // "Last seen" per flag: presence (etcd) copied to MySQL once per interval, never per SDK report.
  const lastSeen = startLastSeenFlusher({
    db,
    root: etcd.root,
    intervalMs: w.LAST_SEEN_FLUSH_MS,
    log: (level, msg, err) => log(level, "last_seen.flush_failed", { msg, err: describeError(err) }),
  });
  // The SDK stream server is optional here and independent of leadership: every worker may serve it.
  let stream: StreamServer | null = null;
  if (w.STREAM_PORT !== undefined) {
    stream = await startStreamServer({
      db,
      root: etcd.root,
      port: w.STREAM_PORT,
      host: w.STREAM_HOST,
      maxStreams: w.STREAM_MAX_STREAMS,
      trustedProxies: env.TRUSTED_PROXIES,
      adminApi: w.SIDECAR_ADMIN_API === "on" ? (await import("../lib/http/api-registry")).ALL_HANDLERS : undefined,
      log: (level, msg, err) => log(level, "stream_server.log", err === undefined ? { msg } : { msg, err: describeError(err) }),
    });
    log("info", "stream_server.listening", { port: stream.port });
  }

  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log("warn", "shutdown.forced", { signal, reason: "second signal" });
      process.exit(1);
    }
    shuttingDown = true;
    log("info", "shutdown.begin", { signal, timeoutMs: w.SHUTDOWN_TIMEOUT_MS });
    const force = setTimeout(() => {
      log("error", "shutdown.forced", { reason: "timeout", timeoutMs: w.SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, w.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await worker.stop();
      await lastSeen.stop();
      log("info", "shutdown.worker_stopped");
      if (stream) {
        await stream.close();
        log("info", "shutdown.stream_server_closed");
      }
      await closeDb(db);
      log("info", "shutdown.db_closed");
      etcd.client.close();
      log("info", "shutdown.etcd_closed");
      log("info", "shutdown.complete");
      process.exit(0);
    } catch (err) {
      log("error", "shutdown.failed", { err: describeError(err) });
      process.exit(1);
    }
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, (s) => void shutdown(s));
}

main().catch((err) => {
  jsonLog({})("error", "worker.start_failed", { err: describeError(err) });
  process.exit(1);
});
