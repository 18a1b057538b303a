import type { IWatchResponse, Namespace } from "etcd3";
import type { FlagDocument, SegmentDocument } from "../../flags/document";
import { metrics } from "../../observability/metrics";
import { HubState } from "./hub-state";
import { SubscriberRegistry } from "./hub-subscribers";
import type { HubEvent, HubLog, HubSubscriber, ScopeSnapshot, SubscribeStart, WatchHubOptions, WatchHubStats } from "./hub-types";

export type { HubLog, WatchHubOptions, WatchHubStats } from "./hub-types";
import { EventRing } from "./ring-buffer";
import { inScope, type Scope } from "./scope";
import { LivenessCheck } from "./liveness-probe";
import { SnapshotCache } from "./snapshot-cache";
import { loadSnapshot } from "./snapshot-loader";
import { WatchFeed } from "./watch-feed";
import { applyWatchEvents } from "./watch-translate";

/**
 * One etcd watch per process feeding every SDK stream it serves (docs/ARCHITECTURE.md, "Watch hub").
 *
 * - Starts from a consistent snapshot: every flag and tombstone read at revision R, then one watch
 *   over the whole prefix from R+1, so nothing is missed or repeated.
 * - `revision` is the revision through which every event has been applied. It only advances with
 *   applied events: a watch response header may name a later revision while a catch-up batch is
 *   only partly sent, and progress notifications are only trusted for the lag gauge (some etcd
 *   releases sent them before a watcher had caught up).
 * - Survives etcd restarts and member changes: the watch (watch-feed.ts) re-attaches after a
 *   disconnect and resumes at `revision + 1`.
 * - Survives compaction: etcd3 reports a watch on a compacted revision only as a cancelled watcher.
 *   We then re-read a snapshot, replace the state, restart the ring there and tell every subscriber
 *   to resync (they send a fresh `snapshot`). Same if etcd's revision goes backwards (a replaced
 *   cluster).
 * - A liveness check notices a watch that stopped delivering without an error: when etcd holds a
 *   key changed after `revision` on two checks in a row, the watch is restarted from `revision + 1`.
 * - `subscribe` is synchronous, so the replay/snapshot it returns and the live events that follow
 *   meet exactly: no event is lost or sent twice in between.
 */
export class WatchHub {
  readonly root: Namespace;
  private readonly log: HubLog;
  private readonly ring: EventRing;
  private readonly registry: SubscriberRegistry;
  private readonly snapshots: SnapshotCache;
  private readonly batchListeners = new Set<(events: readonly HubEvent[]) => void>();
  private state = new HubState();
  private revision = 0;
  private etcdRevision = 0;
  private feed: WatchFeed | null = null;
  private generation = 0;
  private started: Promise<void> | null = null;
  private stopped = false;
  private isReady = false;
  private readonly readyWaiters = new Set<() => void>();
  private resyncs = 0;
  private lastFanOutMs = 0;
  private caughtUpTo = 0;
  private establishing = false;
  private watchRestarts = 0;
  private readonly liveness: LivenessCheck;

  constructor(opts: WatchHubOptions) {
    this.root = opts.root;
    this.log = opts.log ?? (() => {});
    this.ring = new EventRing(opts.ringSize ?? 10_000);
    this.snapshots = new SnapshotCache(opts.snapshotCacheSize ?? 256);
    this.registry = new SubscriberRegistry((err) => this.log("error", "hub subscriber threw", err));
    this.liveness = new LivenessCheck(this.root, opts.livenessCheckMs ?? 10_000, {
      revision: () => (this.isReady && !this.stopped && !this.establishing ? this.revision : null),
      seen: (rev) => {
        this.etcdRevision = Math.max(this.etcdRevision, rev);
        this.updateLag();
      },
      stuck: (missing) => void this.restartWatch(missing),
      failed: (err) => this.log("warn", "watch hub liveness check failed", err),
    });
  }

  /** Starts the hub (idempotent). Resolves once the first snapshot is loaded. */
  start(): Promise<void> {
    this.started ??= this.establish(false);
    return this.started;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves true once ready, false if that takes longer than `timeoutMs`. Starts the hub. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    void this.start();
    if (this.isReady) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.readyWaiters.delete(onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.readyWaiters.add(onReady);
    });
  }

  /** Every event up to this revision has been applied. */
  get currentRevision(): number {
    return this.revision;
  }

  /**
   * Registers `sub` and returns how it starts: the in-scope events after `lastEventId` when the
   * ring still holds every event after it, else a snapshot. Live events follow via `onEvents`.
   * An id ahead of this hub replays nothing yet; the subscriber skips events up to its id.
   */
  subscribe(sub: HubSubscriber, lastEventId?: number | null): SubscribeStart {
    if (!this.isReady) throw new Error("watch hub is not ready");
    let start: SubscribeStart | null = null;
    if (lastEventId !== null && lastEventId !== undefined && lastEventId >= 0) {
      const missed = this.ring.since(lastEventId);
      if (missed) {
        const { scope } = sub;
        const events = missed.filter((e) => inScope(scope, e.environment, e.namespace));
        start = { kind: "replay", events, revision: Math.max(this.revision, lastEventId) };
      }
    }
    start ??= { kind: "snapshot", snapshot: this.snapshot(sub.scope) };
    this.registry.add(sub);
    return start;
  }

  unsubscribe(sub: HubSubscriber): void {
    this.registry.remove(sub);
  }

  /**
   * The highest revision that changed anything (a flag or a tombstone) in the scope: a client of
   * that scope at this revision or later has everything this hub has for it.
   */
  lastChangeIn(scope: Scope): number {
    return this.state.lastChangeIn(scope);
  }

  /** One flag's current document (OFREP evaluates it; the caller checks scope). */
  document(environment: string, namespace: string, key: string): FlagDocument | undefined {
    return this.state.get(environment, namespace, key);
  }

  /** One segment's current document in one environment (issue 14; the caller checks scope). */
  segment(environment: string, namespace: string, key: string): SegmentDocument | undefined {
    return this.state.segment(environment, namespace, key);
  }

  /** The scope's state at the current revision (shared, encoded at most once per revision). */
  snapshot(scope: Scope): ScopeSnapshot {
    return this.snapshots.get(scope, this.revision, () => ({
      revision: this.revision,
      environment: scope.environment,
      flags: this.state.flagsIn(scope),
      segments: this.state.segmentsIn(scope),
      lastChange: this.state.lastChangeIn(scope),
      scope,
      json: null,
      frame: null,
    }));
  }

  /** Called after each batch of events has been offered to every subscriber. */
  onBatch(listener: (events: readonly HubEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** etcd's current revision, read now (used to tell a stale Last-Event-ID from a bogus one). */
  async fetchEtcdRevision(): Promise<number> {
    const res = await this.root.get("flags/").exec();
    const rev = Number(res.header.revision);
    this.etcdRevision = Math.max(this.etcdRevision, rev);
    return rev;
  }

  /** The newest etcd revision this hub has heard of (watch headers, snapshot reads). */
  get knownEtcdRevision(): number {
    return this.etcdRevision;
  }

  stats(): WatchHubStats {
    return {
      ready: this.isReady,
      watching: this.feed?.connected ?? false,
      revision: this.revision,
      etcdRevision: this.etcdRevision,
      ringFloor: this.ring.floor,
      ringSize: this.ring.size,
      flags: this.state.size,
      subscribers: this.registry.size,
      resyncs: this.resyncs,
      watchRestarts: this.watchRestarts,
      lastFanOutMs: this.lastFanOutMs,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.liveness.stop();
    this.generation++;
    await this.dropWatcher();
  }

  // -- lifecycle -----------------------------------------------------------------------------

  private async establish(isResync: boolean): Promise<void> {
    const gen = ++this.generation;
    this.establishing = true;
    try {
      await this.load(gen, isResync);
    } finally {
      if (gen === this.generation) this.establishing = false;
    }
  }

  private async load(gen: number, isResync: boolean): Promise<void> {
    await this.dropWatcher();
    for (let attempt = 0; !this.stopped && gen === this.generation; attempt++) {
      try {
        const snap = await loadSnapshot(this.root, (key) => this.log("warn", `ignoring unparsable flag document at ${key}`));
        if (this.stopped || gen !== this.generation) return;
        this.state = snap.state;
        this.revision = snap.revision;
        // The snapshot read is fresh: its header is etcd's current revision (lower, if etcd was replaced).
        this.etcdRevision = snap.revision;
        this.ring.reset(snap.revision);
        this.snapshots.clear();
        this.caughtUpTo = 0;
        this.watch(snap.revision + 1);
        this.updateLag();
        if (isResync) {
          this.resyncs++;
          this.log("info", `watch hub resynced at revision ${snap.revision}`);
          this.registry.resyncAll();
        }
        if (!this.isReady) {
          this.isReady = true;
          for (const w of [...this.readyWaiters]) w();
        }
        return;
      } catch (err) {
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        this.log("warn", `watch hub snapshot failed; retrying in ${Math.round(delay)} ms`, err);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private resync(reason: string): void {
    if (this.stopped) return;
    this.log("warn", `watch hub lost continuity (${reason}); re-reading a snapshot`);
    void this.establish(true);
  }

  private watch(fromRevision: number): void {
    this.feed = new WatchFeed(this.root, fromRevision, () => this.revision + 1, {
      connected: (header) => void this.checkHeader(header),
      disconnected: (err) => this.log("warn", `etcd watch disconnected; resuming from revision ${this.revision + 1}`, err),
      cancelled: (err) => this.resync(`watch cancelled: ${err instanceof Error ? err.message : String(err)}`),
      response: (res) => {
        try {
          this.onResponse(res);
        } catch (err) {
          this.log("error", "watch hub failed to apply a watch response", err);
          this.resync("apply failed");
        }
      },
    });
  }

  private onResponse(res: IWatchResponse): void {
    const header = Number(res.header.revision);
    if (!this.checkHeader(header)) return;
    if (res.events.length === 0) {
      // A progress notification: the watcher has (supposedly) caught up with etcd.
      this.caughtUpTo = Math.max(this.caughtUpTo, header);
      this.updateLag();
      return;
    }
    const { events, maxRevision } = applyWatchEvents(this.state, res.events, (key) =>
      this.log("warn", `ignoring unparsable flag document at ${key}`),
    );
    if (maxRevision > this.revision) this.revision = maxRevision;
    this.updateLag();
    if (events.length === 0) return;
    for (const ev of events) this.ring.push(ev);
    const t0 = performance.now();
    this.registry.fanOut(events);
    this.lastFanOutMs = performance.now() - t0;
    for (const listener of this.batchListeners) {
      try {
        listener(events);
      } catch (err) {
        this.log("error", "hub batch listener threw", err);
      }
    }
  }

  /** False (and a resync) when etcd's revision went backwards: a different cluster answered. */
  private checkHeader(header: number): boolean {
    if (header < this.revision) {
      this.resync(`etcd revision ${header} is behind the hub's ${this.revision}`);
      return false;
    }
    this.etcdRevision = Math.max(this.etcdRevision, header);
    return true;
  }

  private updateLag(): void {
    metrics.hubLagRevisions.set(Math.max(0, this.etcdRevision - Math.max(this.revision, this.caughtUpTo)));
  }

  /**
   * Asks etcd for any key under the prefix changed after `revision`. Seen twice in a row (the
   * watch delivers in milliseconds, checks are seconds apart), the watch is stuck: restart it.
   */
  private async restartWatch(missing: number): Promise<void> {
    this.log("warn", `etcd watch stopped delivering (revision ${missing} never arrived); restarting it`);
    this.watchRestarts++;
    const gen = this.generation;
    await this.dropWatcher();
    if (gen === this.generation && !this.stopped) this.watch(this.revision + 1);
  }

  private async dropWatcher(): Promise<void> {
    const feed = this.feed;
    this.feed = null;
    await feed?.cancel();
  }
}
