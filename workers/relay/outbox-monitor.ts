import type { Db } from "../../lib/db/client";
import { metrics } from "../../lib/observability/metrics";
import { readOutboxStats } from "../../lib/outbox/outbox-stats";
import type { OutboxStatsView } from "../../lib/outbox/schemas";
import { describeError, type WorkerLog } from "../support/log";

export interface OutboxMonitor {
  /** The last sample (null until the first one succeeded). */
  last(): (OutboxStatsView & { sampledAt: string }) | null;
  sampleNow(): Promise<void>;
  stop(): void;
}

/**
 * Samples backlog, oldest pending age and dead-letter count every `intervalMs` into the gauges (and
 * for /healthz). Runs on every worker, leader or not, so a standby still reports the backlog. One
 * sample at a time; the timer is unref'd so it never keeps a process alive.
 */
export function startOutboxMonitor(db: Db, log: WorkerLog, intervalMs = 1_000): OutboxMonitor {
  let last: (OutboxStatsView & { sampledAt: string }) | null = null;
  let failing = false;
  let inFlight: Promise<void> | null = null;
  const sampleNow = () =>
    (inFlight ??= (async () => {
      try {
        const s = await readOutboxStats(db);
        metrics.outboxBacklog.set(s.pending);
        metrics.outboxOldestPendingSeconds.set(s.oldestPendingSeconds);
        metrics.outboxDeadLettered.set(s.dead);
        last = { ...s, sampledAt: new Date().toISOString() };
        failing = false;
      } catch (err) {
        if (!failing) log("warn", "outbox_monitor.sample_failed", { err: describeError(err) });
        failing = true;
      } finally {
        inFlight = null;
      }
    })());
  const timer = setInterval(() => void sampleNow(), intervalMs);
  timer.unref();
  void sampleNow();
  return { last: () => last, sampleNow, stop: () => clearInterval(timer) };
}
