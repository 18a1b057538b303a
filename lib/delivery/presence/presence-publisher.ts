import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Lease, Namespace } from "etcd3";
import { presenceKey } from "../../etcd/keys";
import { metrics } from "../../observability/metrics";
import type { PresenceTable } from "./client-presence";
import type { HubLog } from "../hub/hub-types";

export interface PresencePublisherOptions {
  root: Namespace;
  table: PresenceTable;
  /** Names this process's key, presence/{processId}; a fresh random id by default. */
  processId?: string;
  /** How often the table is summarised (default 2 s). */
  intervalMs?: number;
  /** TTL of the lease the key is bound to (default 10 s): a dead process's clients vanish after it. */
  leaseTtlSeconds?: number;
  /** Metric label of the owning transport. */
  transport?: string;
  log?: HubLog;
}

const OP_TIMEOUT_MS = 3_000;

/**
 * Publishes this process's presence summary (client-presence.ts) to etcd, so any process can answer
 * "N of M clients at revision >= R" for all of them (presence-reader.ts).
 *
 * - Every `intervalMs` the table is summarised; the key is written only when the summary changed,
 *   so steady clients cost no etcd writes (and no watch events for the hubs, which watch the whole
 *   prefix and ignore these keys).
 * - The key is bound to a lease of `leaseTtlSeconds` kept alive by etcd3: a process that dies
 *   stops the keepalives and its key disappears within the TTL. A lost lease (etcd was unreachable
 *   for longer) is replaced and the summary written again on the next tick.
 * - An empty table revokes the lease, which deletes the key; so does `stop()`.
 * - Ticks never overlap, and an etcd failure only logs: the next tick tries again.
 */
export class PresencePublisher {
  readonly processId: string;
  readonly key: string;
  private readonly o: Required<Omit<PresencePublisherOptions, "processId" | "log">> & { log: HubLog };
  private readonly identity: { host: string; pid: number };
  private lease: Lease | null = null;
  private published: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(opts: PresencePublisherOptions) {
    this.processId = opts.processId ?? randomUUID();
    this.key = presenceKey(this.processId);
    this.o = {
      root: opts.root,
      table: opts.table,
      intervalMs: opts.intervalMs ?? 2_000,
      leaseTtlSeconds: opts.leaseTtlSeconds ?? 10,
      transport: opts.transport ?? "unknown",
      log: opts.log ?? (() => {}),
    };
    this.identity = { host: hostname().slice(0, 64), pid: process.pid };
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** One summary-and-publish pass now (waits for a running one first). */
  async tick(): Promise<void> {
    while (this.running) await this.running;
    if (this.stopped) return;
    this.running = this.publishOnce().finally(() => (this.running = null));
    await this.running;
  }

  /** Stops the timer and withdraws the key (revokes the lease). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
    await this.withdraw();
  }

  private async publishOnce(): Promise<void> {
    const summary = this.o.table.summary();
    metrics.sdkReportedClients.set({ transport: this.o.transport }, summary.clients);
    try {
      if (summary.clients === 0) {
        if (this.lease) await this.withdraw();
        return;
      }
      const value = JSON.stringify({ v: 1, process: this.processId, ...this.identity, clients: summary.clients, envs: summary.envs });
      if (value === this.published && this.lease) return;
      const lease = this.leaseNow();
      await withTimeout(lease.put(this.key).value(value).exec(), "presence put");
      if (this.lease === lease) this.published = value;
      if (this.failures) this.o.log("info", `presence summary published again after ${this.failures} failure(s)`);
      this.failures = 0;
    } catch (err) {
      // The lease may be half-made or dead: start over with a new one next time.
      this.dropLease();
      if (this.failures++ % 30 === 0) this.o.log("warn", "could not publish the SDK presence summary to etcd", err);
    }
  }

  private leaseNow(): Lease {
    if (this.lease) return this.lease;
    const lease = this.o.root.lease(this.o.leaseTtlSeconds);
    lease.on("lost", (err) => {
      if (this.lease !== lease) return;
      this.o.log("warn", "presence lease lost; publishing again with a new one", err);
      this.lease = null;
      this.published = null;
    });
    this.lease = lease;
    this.published = null;
    return lease;
  }

  /** Stops keepalives without revoking: the key then expires with the lease. */
  private dropLease(): void {
    const lease = this.lease;
    this.lease = null;
    this.published = null;
    if (lease && !lease.revoked()) lease.release();
  }

  private async withdraw(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    this.published = null;
    if (!lease) return;
    try {
      await withTimeout(lease.revoke(), "presence lease revoke");
    } catch (err) {
      // Unreachable etcd: the key goes when the lease expires.
      if (!lease.revoked()) lease.release();
      this.o.log("warn", "could not revoke the presence lease; it expires on its own", err);
    }
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
