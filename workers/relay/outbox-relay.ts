import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";
import { metrics } from "../../lib/observability/metrics";
import { describeError, type WorkerLog } from "../support/log";
import { backoffMs, jittered, sleep } from "../support/timing";
import { pruneIdempotencyKeys } from "../../lib/idempotency/keys";
import { pruneDoneRows } from "./prune-outbox";
import { relayBatch, type BatchOptions, type BatchResult } from "./relay-batch";

export interface RelayOptions extends BatchOptions {
  /** Wait between polls when there is nothing to do; `nudge()` cuts it short. */
  pollIntervalMs: number;
  /** Whole-loop backoff while etcd (or MySQL) is unreachable: capped exponential, full jitter. */
  unavailableBackoffBaseMs: number;
  unavailableBackoffMaxMs: number;
  /** `done` rows older than this are pruned, `pruneBatchSize` rows per statement, every `pruneIntervalMs`. */
  retentionMs: number;
  pruneIntervalMs: number;
  pruneBatchSize: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  batchSize: 200,
  publishTimeoutMs: 5_000,
  maxAttempts: 10,
  rowBackoffBaseMs: 1_000,
  rowBackoffMaxMs: 5 * 60_000,
  pollIntervalMs: 250,
  unavailableBackoffBaseMs: 50,
  unavailableBackoffMaxMs: 5_000,
  retentionMs: 7 * 24 * 3600_000,
  pruneIntervalMs: 60_000,
  pruneBatchSize: 1_000,
};

export type RelayState = "idle" | "running" | "stopping" | "stopped";

/**
 * The outbox relay: a polling loop with an explicit state. Invariant: a row leaves `pending` only in
 * the transaction that saw its publish land (or recorded its own failure); everything else (crash,
 * etcd outage, timeout, stop) leaves it pending for the next batch, where a re-publish is a fenced
 * no-op. So nothing is lost and nothing is overwritten by an older version.
 */
export class OutboxRelay {
  readonly options: RelayOptions;
  private state: RelayState = "idle";
  private loopDone: Promise<void> = Promise.resolve();
  private batchChain: Promise<unknown> = Promise.resolve();
  private readonly stopCtl = new AbortController();
  private wakeCtl = new AbortController();
  private nudged = false;
  private failureStreak = 0;
  private failingSince = 0;
  private nextPruneAt = 0;

  constructor(
    private readonly deps: { db: Db; root: Namespace; log: WorkerLog },
    options: Partial<RelayOptions> = {},
  ) {
    this.options = { ...DEFAULT_RELAY_OPTIONS, ...options };
  }

  getState(): RelayState {
    return this.state;
  }

  start(): void {
    if (this.state !== "idle") throw new Error(`relay cannot start from state ${this.state}`);
    this.state = "running";
    this.nextPruneAt = Date.now() + jittered(Math.min(this.options.pruneIntervalMs, 10_000));
    this.deps.log("info", "relay.started", { batchSize: this.options.batchSize, pollIntervalMs: this.options.pollIntervalMs });
    this.loopDone = this.loop();
  }

  /** Wakes the loop now (a commit just happened); a nudge during a batch makes the next one start at once. */
  nudge(): void {
    this.nudged = true;
    this.wakeCtl.abort();
  }

  /** Stops polling and resolves once the batch in flight (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    if (this.state === "idle") this.state = "stopped";
    if (this.state === "stopped") return;
    this.state = "stopping";
    this.stopCtl.abort();
    this.wakeCtl.abort();
    await this.loopDone;
    await this.batchChain.catch(() => {});
    this.state = "stopped";
    this.deps.log("info", "relay.stopped");
  }

  /** Runs one batch (serialised with the loop's own batches). */
  runOnce(): Promise<BatchResult> {
    const run = this.batchChain.then(() => relayBatch(this.deps.db, this.deps.root, this.options, this.deps.log));
    this.batchChain = run.catch(() => {});
    return run;
  }

  private async loop(): Promise<void> {
    while (this.state === "running") {
      this.nudged = false;
      let delay = this.options.pollIntervalMs;
      let backingOff = false;
      try {
        const r = await this.runOnce();
        if (r.unavailable) {
          delay = this.onFailure(r.unavailable, "etcd");
          backingOff = true;
        } else {
          this.onSuccess();
          if (r.claimed >= this.options.batchSize) delay = 0; // more backlog: keep going
        }
        await this.maybePrune();
      } catch (err) {
        // MySQL unreachable, or a bug: same whole-loop backoff, rows untouched (the transaction rolled back).
        delay = this.onFailure(err, "mysql");
        backingOff = true;
      }
      if (this.state !== "running" || delay === 0) continue;
      if (backingOff) {
        await sleep(delay, this.stopCtl.signal); // nudges do not shorten an outage backoff
      } else {
        this.wakeCtl = new AbortController();
        if (!this.nudged) await sleep(delay, this.wakeCtl.signal);
      }
    }
  }

  private onFailure(err: unknown, what: "etcd" | "mysql"): number {
    this.failureStreak++;
    if (this.failureStreak === 1) this.failingSince = Date.now();
    metrics.relayUnavailableBackoffs.inc();
    const delay = backoffMs(this.failureStreak, this.options.unavailableBackoffBaseMs, this.options.unavailableBackoffMaxMs);
    // Log the first failure of a streak and then sparsely: an outage must not flood the log.
    if (this.failureStreak === 1 || this.failureStreak % 20 === 0) {
      this.deps.log("warn", what === "etcd" ? "relay.etcd_unavailable" : "relay.batch_failed", {
        err: describeError(err),
        streak: this.failureStreak,
        backoffMs: delay,
      });
    }
    return delay;
  }

  private onSuccess(): void {
    if (this.failureStreak > 0) {
      this.deps.log("info", "relay.recovered", { afterMs: Date.now() - this.failingSince, failedBatches: this.failureStreak });
    }
    this.failureStreak = 0;
  }

  private async maybePrune(): Promise<void> {
    if (Date.now() < this.nextPruneAt) return;
    this.nextPruneAt = Date.now() + jittered(this.options.pruneIntervalMs);
    try {
      const n = await pruneDoneRows(this.deps.db, { retentionMs: this.options.retentionMs, batchSize: this.options.pruneBatchSize, maxBatches: 20 });
      if (n) this.deps.log("info", "relay.pruned", { rows: n });
      // Idempotency keys and commit markers past their 24 h: same cadence, same small batches.
      const keys = await pruneIdempotencyKeys(this.deps.db, { batchSize: this.options.pruneBatchSize, maxBatches: 20 });
      if (keys) this.deps.log("info", "relay.pruned_idempotency_keys", { rows: keys });
    } catch (err) {
      this.deps.log("warn", "relay.prune_failed", { err: describeError(err) });
    }
  }
}
