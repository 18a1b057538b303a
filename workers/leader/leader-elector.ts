import type { Lease, Namespace } from "etcd3";
import { ELECTION_NAME } from "../../lib/etcd/keys";
import { metrics } from "../../lib/observability/metrics";
import { describeError, type WorkerLog } from "../support/log";
import { backoffMs, sleep, withTimeout } from "../support/timing";

export interface LeaderElectorOptions {
  root: Namespace;
  /** This worker's id; stored as the value of its campaign key (visible to operators). */
  id: string;
  ttlSeconds: number;
  log: WorkerLog;
  /** Called when this worker becomes leader: start the leader-only work. */
  onElected: () => void | Promise<void>;
  /** Called when leadership ends (lost or resigned): stop the leader-only work, resolving once it stopped. */
  onDemoted: (reason: string) => void | Promise<void>;
  /** How often candidates re-check and the leader verifies itself; default ttl/8, at most 250 ms. */
  tickMs?: number;
}

/**
 * Leader election over etcd, the same algorithm as etcd's own `concurrency.Election` (and etcd3's
 * Campaign): every worker holds a lease and a key `election/worker/{leaseId}` bound to it; the key
 * with the lowest create revision is the leader. A killed leader's key disappears when its lease
 * expires (TTL); a resigning one revokes its lease, which deletes the key at once.
 *
 * It is written out here rather than using etcd3's Campaign because the leader must give up *before*
 * its lease can have expired on the server: a watchdog steps down when keepalives have not succeeded
 * for 3/4 of the TTL (etcd3 only reports a lease lost after 2x the TTL). Even so, correctness never
 * depends on a single leader: relay claims use SKIP LOCKED and every etcd write is fenced, so an
 * overlap costs duplicate work, never a wrong value.
 */
export class LeaderElector {
  private role: "candidate" | "leader" = "candidate";
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeCtl = new AbortController();
  private lease: Lease | null = null;
  private leaseLost: unknown = null;
  private myKey: string | null = null;
  private lastKeepAlive = 0;
  private failures = 0;
  private demoting: Promise<void> = Promise.resolve();
  private watchdog: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  private readonly opTimeoutMs: number;
  private readonly stepDownMs: number;

  constructor(private readonly o: LeaderElectorOptions) {
    const ttlMs = o.ttlSeconds * 1000;
    this.tickMs = o.tickMs ?? Math.min(250, Math.max(50, ttlMs / 8));
    this.opTimeoutMs = Math.max(500, ttlMs / 2);
    this.stepDownMs = ttlMs * 0.75;
  }

  isLeader(): boolean {
    return this.role === "leader";
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.watchdog = setInterval(() => this.checkLeaseHealth(), this.tickMs);
    this.watchdog.unref();
    this.loopDone = this.loop();
  }

  /** Resigns at once (revokes the lease so a standby takes over immediately), then stops the work. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeCtl.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    await this.loopDone;
    const wasLeader = this.role === "leader";
    this.role = "candidate";
    await this.dropLease();
    if (wasLeader) {
      metrics.isLeader.set(0);
      metrics.leadershipChanges.inc({ event: "resigned" });
      this.o.log("info", "leader.resigned", { workerId: this.o.id });
      await this.o.onDemoted("shutdown");
    }
    await this.demoting;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let delay = this.tickMs;
      try {
        if (!this.lease || this.leaseLost) await this.newCandidacy();
        const { firstKey, leaderId, mine } = await this.readCandidates();
        if (!mine) {
          this.leaseLost ??= new Error("campaign key is gone");
          this.demote("campaign key disappeared");
        } else if (this.role === "candidate" && firstKey === this.myKey) {
          await this.demoting; // never start a new term before the previous one's work has stopped
          if (this.running && !this.leaseLost) await this.becomeLeader();
        } else if (this.role === "leader" && firstKey !== this.myKey) {
          this.demote(`another worker (${leaderId}) holds leadership`);
        }
        if (this.failures > 0) this.o.log("info", "leader.etcd_reachable", { workerId: this.o.id, afterFailures: this.failures });
        this.failures = 0;
      } catch (err) {
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.o.log("warn", "leader.etcd_error", { workerId: this.o.id, err: describeError(err), failures: this.failures });
        }
        delay = this.role === "leader" ? this.tickMs : Math.max(this.tickMs, backoffMs(this.failures, 100, 5_000));
      }
      if (!this.running) break;
      this.wakeCtl = new AbortController();
      await sleep(delay, this.wakeCtl.signal);
    }
  }

  private async newCandidacy(): Promise<void> {
    await this.dropLease();
    const lease = this.o.root.lease(this.o.ttlSeconds);
    this.lease = lease;
    this.leaseLost = null;
    lease.on("lost", (err) => this.onLeaseLost(lease, err));
    lease.on("keepaliveSucceeded", () => {
      if (this.lease === lease) this.lastKeepAlive = Date.now();
    });
    const leaseId = await withTimeout(lease.grant(), this.opTimeoutMs, "lease grant");
    this.lastKeepAlive = Date.now();
    const key = `${ELECTION_NAME}/${leaseId}`;
    await withTimeout(lease.put(key).value(this.o.id).exec(), this.opTimeoutMs, "campaign put");
    this.myKey = key;
    this.o.log("info", "leader.campaigning", { workerId: this.o.id, key });
  }

  private async readCandidates(): Promise<{ firstKey: string | null; leaderId: string | null; mine: boolean }> {
    const res = await withTimeout(
      this.o.root.getAll().prefix(`${ELECTION_NAME}/`).sort("Create", "Ascend").exec(),
      this.opTimeoutMs,
      "election read",
    );
    const keys = res.kvs.map((kv) => kv.key.toString());
    return { firstKey: keys[0] ?? null, leaderId: res.kvs[0]?.value.toString() ?? null, mine: this.myKey !== null && keys.includes(this.myKey) };
  }

  private async becomeLeader(): Promise<void> {
    this.role = "leader";
    metrics.isLeader.set(1);
    metrics.leadershipChanges.inc({ event: "elected" });
    this.o.log("info", "leader.elected", { workerId: this.o.id, key: this.myKey });
    try {
      await this.o.onElected();
    } catch (err) {
      this.o.log("error", "leader.start_failed", { workerId: this.o.id, err: describeError(err) });
      this.demote("leader work failed to start");
    }
  }

  /** Ends leadership now: stops the work, then drops the lease; the loop campaigns again afterwards. */
  private demote(reason: string): void {
    if (this.role !== "leader") return;
    this.role = "candidate";
    this.leaseLost ??= new Error(reason);
    metrics.isLeader.set(0);
    metrics.leadershipChanges.inc({ event: "lost" });
    this.o.log("warn", "leader.lost", { workerId: this.o.id, reason });
    const previous = this.demoting;
    this.demoting = previous.then(async () => {
      try {
        await this.o.onDemoted(reason);
      } catch (err) {
        this.o.log("error", "leader.stop_failed", { workerId: this.o.id, err: describeError(err) });
      }
    });
    this.wakeCtl.abort();
  }

  private onLeaseLost(lease: Lease, err: unknown): void {
    if (this.lease !== lease) return;
    this.leaseLost = err ?? new Error("lease lost");
    this.demote(`lease lost: ${describeError(err).message}`);
    this.wakeCtl.abort();
  }

  /** Watchdog: a leader whose keepalives stopped succeeding steps down before its lease can expire. */
  private checkLeaseHealth(): void {
    if (this.role !== "leader") return;
    const silentMs = Date.now() - this.lastKeepAlive;
    if (silentMs > this.stepDownMs) this.demote(`no lease keepalive for ${silentMs} ms`);
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    this.myKey = null;
    if (!lease) return;
    try {
      await withTimeout(lease.revoke(), this.opTimeoutMs, "lease revoke");
    } catch {
      // Unreachable etcd: the lease was closed locally and expires on the server within its TTL.
    }
  }
}
