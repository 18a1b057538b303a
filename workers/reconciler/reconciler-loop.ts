import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";
import { describeError, type WorkerLog } from "../support/log";
import { jittered, sleep } from "../support/timing";
import { reconcileOnce, type ReconcileReport } from "./reconcile-once";

export interface ReconcilerLoop {
  /** Resolves once the pass in flight (if any) has stopped; a running pass is aborted between chunks. */
  stop(): Promise<void>;
  /** The last finished pass's report. */
  lastReport(): ReconcileReport | null;
  /** Runs a pass now (or waits for the one in flight) and resolves with its report. */
  runNow(): Promise<ReconcileReport>;
}

/**
 * Runs a reconciler pass at start (after a short jitter) and then every `intervalMs` (+/- 20 %
 * jitter), never two at once: the next pass is scheduled only after the previous one finished.
 * Timers are unref'd so the loop never keeps a process alive on its own.
 */
export function startReconcilerLoop(o: { db: Db; root: Namespace; log: WorkerLog; intervalMs: number; initialDelayMs?: number }): ReconcilerLoop {
  const stopCtl = new AbortController();
  let inFlight: Promise<ReconcileReport> | null = null;
  let last: ReconcileReport | null = null;

  const pass = (): Promise<ReconcileReport> =>
    (inFlight ??= (async () => {
      try {
        const report = await reconcileOnce({ db: o.db, root: o.root, log: o.log, signal: stopCtl.signal });
        last = report;
        const repaired = Object.values(report.repairs).reduce((a, b) => a + b, 0);
        o.log(repaired || report.etcdAhead || report.failed ? "info" : "debug", "reconcile.pass", { ...report, repaired });
        return report;
      } finally {
        inFlight = null;
      }
    })());

  const loop = (async () => {
    await sleep(o.initialDelayMs ?? jittered(200, 0.5), stopCtl.signal);
    while (!stopCtl.signal.aborted) {
      try {
        await pass();
      } catch (err) {
        if (!stopCtl.signal.aborted) o.log("warn", "reconcile.pass_failed", { err: describeError(err) });
      }
      await sleep(jittered(o.intervalMs), stopCtl.signal);
    }
  })();

  return {
    async stop() {
      stopCtl.abort();
      await loop;
      await inFlight?.catch(() => {});
    },
    lastReport: () => last,
    runNow: () => pass(),
  };
}
