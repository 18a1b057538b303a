import type { Db } from "../lib/db/client";
import type { EtcdHandle } from "../lib/etcd/client";
import { LeaderElector } from "./leader/leader-elector";
import { startMetricsServer, type MetricsServer } from "./metrics-server";
import { startReconcilerLoop, type ReconcilerLoop } from "./reconciler/reconciler-loop";
import { startOutboxMonitor, type OutboxMonitor } from "./relay/outbox-monitor";
import { OutboxRelay, type RelayOptions } from "./relay/outbox-relay";
import { silentLog, type WorkerLog } from "./support/log";

export interface WorkerOptions {
  db: Db;
  etcd: EtcdHandle;
  /** Unique per process (hostname-pid by default in main.ts); shown as the election key's value. */
  id: string;
  /** Leader lease TTL; a killed leader is replaced within about this long. Default 5. */
  leaseTtlSeconds?: number;
  relayOptions?: Partial<RelayOptions>;
  /** Reconciler period (default 30 s); 0 disables the reconciler entirely. */
  reconcileIntervalMs?: number;
  /** Serve /metrics and /healthz on this port (0 = any free port); omit for no server. */
  metricsPort?: number;
  metricsHost?: string;
  log?: WorkerLog;
}

export interface WorkerHandle {
  readonly id: string;
  isLeader(): boolean;
  /** The running relay while this worker leads, else null. */
  readonly relay: OutboxRelay | null;
  readonly reconciler: ReconcilerLoop | null;
  /** Port /metrics and /healthz listen on, if enabled. */
  readonly metricsPort: number | null;
  /** Wakes the relay now (no-op on a standby). */
  nudge(): void;
  health(): Record<string, unknown>;
  /** Graceful stop: resign (a standby takes over at once), drain the relay's batch, stop timers and the server. Does not close db/etcd. */
  stop(): Promise<void>;
}

/**
 * The worker process's moving parts, wired once: every worker campaigns for leadership and samples
 * the outbox; only the leader runs the relay and the reconciler, and it stops both the moment its
 * leadership ends. Used by workers/main.ts, by the stack script and by tests.
 */
export async function startWorker(o: WorkerOptions): Promise<WorkerHandle> {
  const log = o.log ?? silentLog;
  const { db } = o;
  const root = o.etcd.root;
  const reconcileIntervalMs = o.reconcileIntervalMs ?? 30_000;
  let relay: OutboxRelay | null = null;
  let reconciler: ReconcilerLoop | null = null;
  let stopping: Promise<void> | null = null;
  let monitor: OutboxMonitor | null = null;

  const elector = new LeaderElector({
    root,
    id: o.id,
    ttlSeconds: o.leaseTtlSeconds ?? 5,
    log,
    onElected: () => {
      relay = new OutboxRelay({ db, root, log }, o.relayOptions);
      relay.start();
      if (reconcileIntervalMs > 0) reconciler = startReconcilerLoop({ db, root, log, intervalMs: reconcileIntervalMs });
    },
    onDemoted: async () => {
      const [r, c] = [relay, reconciler];
      relay = null;
      reconciler = null;
      await Promise.all([r?.stop(), c?.stop()]);
    },
  });

  const health = () => {
    const stats = monitor?.last() ?? null;
    return {
      status: stopping ? "stopping" : "ok",
      workerId: o.id,
      role: elector.isLeader() ? "leader" : "standby",
      relay: relay?.getState() ?? null,
      outbox: stats,
      lastReconcile: reconciler?.lastReport() ?? null,
    };
  };

  // The server first: if its port is taken, start-up fails before anything else is running.
  let server: MetricsServer | null = null;
  if (o.metricsPort !== undefined) server = await startMetricsServer({ port: o.metricsPort, host: o.metricsHost, health, log });
  monitor = startOutboxMonitor(db, log);
  elector.start();
  log("info", "worker.started", { workerId: o.id, leaseTtlSeconds: o.leaseTtlSeconds ?? 5, reconcileIntervalMs });

  return {
    id: o.id,
    isLeader: () => elector.isLeader(),
    get relay() {
      return relay;
    },
    get reconciler() {
      return reconciler;
    },
    metricsPort: server?.port ?? null,
    nudge: () => relay?.nudge(),
    health,
    stop: () =>
      (stopping ??= (async () => {
        log("info", "worker.stopping", { workerId: o.id });
        await elector.stop();
        monitor?.stop();
        await server?.close();
        log("info", "worker.stopped", { workerId: o.id });
      })()),
  };
}
