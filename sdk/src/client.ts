import { Emitter } from "./emitter";
import { resolveFlag, resolveValue } from "./evaluate";
import { FlagStore, type ApplyResult } from "./flag-store";
import type { EvaluationContext } from "./local-eval/engine-port";
import { applyChanges, EventBatch, type StreamChange } from "./local-eval/event-batch";
import { LocalEvaluator } from "./local-eval/local-evaluator";
import { parseDelete, parsePut, parseSegment, parseSegmentDelete, parseSnapshot, withRevision } from "./protocol";
import { RevisionReporter } from "./revision-reporter";
import type { ClientOptions, MizuFlowClient, ReadyOptions } from "./client-api";
import { SnapshotPersister } from "./snapshot-persister";
import { StreamConnection, type DropInfo, type EventSourceConstructor, type StreamEventType } from "./stream-connection";
import type { ClientEvents, ClientState, FlagEntry, FlagType, JsonValue, Logger, Resolution } from "./types";

export type { ClientOptions, MizuFlowClient, ReadyOptions } from "./client-api";

const consoleLogger: Logger = { warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) };

export function streamUrl(base: string): string {
  if (/\/api\/sdk\/v1\/stream\/?$/.test(new URL(base).pathname)) return base;
  return new URL("api/sdk/v1/stream", base.endsWith("/") ? base : `${base}/`).toString();
}

/** The revision report endpoint next to the stream: `{base}/api/sdk/v1/report`. */
export function reportUrl(base: string): string {
  const url = new URL(streamUrl(base));
  url.pathname = url.pathname.replace(/\/stream\/?$/, "/report");
  url.search = "";
  return url.toString();
}

/** Browser/universal entry. In Node use `createClient` from `./node` (eventsource v4 + file snapshot). */
export function createClient(options: ClientOptions): MizuFlowClient {
  return new Client(options);
}

interface Waiter {
  live: boolean;
  resolve(): void;
  reject(err: Error): void;
}

class Client implements MizuFlowClient {
  private readonly store = new FlagStore();
  private readonly emitter: Emitter<ClientEvents>;
  private readonly logger: Logger;
  private readonly connection: StreamConnection;
  private readonly persister: SnapshotPersister | null;
  private readonly reporter: RevisionReporter | null;
  private current: ClientState = "connecting";
  /** A live snapshot was applied in this process: later connections resume after `revision`. */
  private liveEver = false;
  /** This connection is in sync (its snapshot arrived, or the server accepted our resume point). */
  private synced = false;
  private resumedThisConnection = false;
  private needsSnapshot = false;
  /** Why the server last refused the key (401/403), until a connection is accepted again. */
  private refusal: string | null = null;
  private waiters = new Set<Waiter>();
  private readonly evaluator: LocalEvaluator;
  /** Events of the current stream id, applied together (local-eval/event-batch.ts). */
  private readonly batch = new EventBatch((events) => this.applyBatch(events));

  constructor(options: ClientOptions) {
    this.logger = options.logger ?? consoleLogger;
    this.evaluator = new LocalEvaluator(this.store, options.targeting ?? null, this.logger);
    this.emitter = new Emitter(this.logger);
    const EventSourceImpl = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    if (!EventSourceImpl) {
      throw new Error("mizuflow: no EventSource available; in Node import createClient from the SDK's ./node entry, or pass `EventSource`");
    }
    this.persister = options.snapshotStore
      ? new SnapshotPersister(options.snapshotStore, options.url, options.sdkKey, options.persistDebounceMs ?? 500, this.logger)
      : null;
    this.reporter =
      options.reportRevision === false
        ? null
        : new RevisionReporter({
            url: reportUrl(options.url),
            sdkKey: options.sdkKey,
            authMode: options.authMode ?? "query",
            intervalMs: options.reportIntervalMs ?? 5_000,
            current: () => ({ revision: this.store.revision, state: this.current }),
            logger: this.logger,
          });
    this.connection = new StreamConnection({
      url: streamUrl(options.url),
      sdkKey: options.sdkKey,
      authMode: options.authMode ?? "query",
      EventSource: EventSourceImpl,
      fetch: options.fetch,
      initialBackoffMs: options.initialBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 45_000,
      logger: this.logger,
      random: options.random,
      // The first connection of a process always asks for a snapshot: a persisted revision may
      // come from before an etcd restore, and a snapshot costs one event.
      resumeFrom: () => {
        this.resumedThisConnection = this.liveEver && !this.needsSnapshot;
        return this.resumedThisConnection ? this.store.revision : null;
      },
      onOpen: () => this.onOpen(),
      onEvent: (type, data, id) => this.onEvent(type, data, id),
      onDrop: (info) => this.onDrop(info),
    });
    if (this.persister) void this.loadLocal(this.persister);
    this.connection.start();
  }

  get state(): ClientState {
    return this.current;
  }
  get revision(): number {
    return this.store.revision;
  }
  get environment(): string | null {
    return this.store.environment;
  }

  ready(options: ReadyOptions = {}): Promise<void> {
    if (this.current === "closed") return Promise.reject(new Error("mizuflow: client closed"));
    const live = options.live ?? false;
    if (live ? this.liveEver : this.store.hasData) return Promise.resolve();
    if (this.refusal) return Promise.reject(new Error(`mizuflow: ${this.refusal}`));
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        live,
        resolve: () => (clearTimeout(timer), this.waiters.delete(waiter), resolve()),
        reject: (err) => (clearTimeout(timer), this.waiters.delete(waiter), reject(err)),
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => waiter.reject(new Error(`mizuflow: not ready after ${options.timeoutMs} ms (state ${this.current})`)), options.timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  // The typed getters skip the Resolution getDetails builds: same value (evaluate.ts resolveValue).
  getBoolean(ns: string, key: string, def: boolean, context?: EvaluationContext): boolean {
    return resolveValue(this.store, ns, key, "boolean", def, context, this.evaluator);
  }
  getString(ns: string, key: string, def: string, context?: EvaluationContext): string {
    return resolveValue(this.store, ns, key, "string", def, context, this.evaluator);
  }
  getNumber(ns: string, key: string, def: number, context?: EvaluationContext): number {
    return resolveValue(this.store, ns, key, "number", def, context, this.evaluator);
  }
  getJSON<T extends JsonValue>(ns: string, key: string, def: T, context?: EvaluationContext): T {
    return resolveValue(this.store, ns, key, "json", def, context, this.evaluator);
  }
  getDetails<T extends JsonValue>(ns: string, key: string, type: FlagType, def: T, context?: EvaluationContext): Resolution<T> {
    return resolveFlag(this.store, this.current, ns, key, type, def, context, this.evaluator);
  }
  resolve<T extends JsonValue>(ns: string, key: string, type: FlagType, def: T, context?: EvaluationContext): Resolution<T> {
    return this.getDetails(ns, key, type, def, context);
  }
  getAll(): FlagEntry[] {
    return this.store.all().map((f) => ({ ...f }));
  }

  on<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }
  off<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  async close(): Promise<void> {
    if (this.current === "closed") return;
    this.batch.discard();
    this.connection.close();
    this.setState("closed", "closed by the application");
    this.reporter?.close();
    for (const w of [...this.waiters]) w.reject(new Error("mizuflow: client closed"));
    this.emitter.clear();
    await this.persister?.flush();
  }

  private async loadLocal(persister: SnapshotPersister): Promise<void> {
    const snapshot = await persister.load();
    if (!snapshot || this.store.hasData || this.current === "closed") return;
    this.publish(this.store.applySnapshot(snapshot, "local"), snapshot.revision, "local");
    if (this.current === "connecting" || this.current === "error") this.setState("stale", "serving the local snapshot");
    this.settleWaiters();
  }

  private onOpen(): void {
    this.refusal = null;
    if (this.resumedThisConnection) {
      // The server replays what we missed, or sends a snapshot if it cannot: either way in sync.
      this.synced = true;
      this.setState("ready", "stream resumed");
    }
  }

  private onEvent(type: StreamEventType, raw: string, lastEventId: string): void {
    let data: unknown;
    try {
      data = withRevision(JSON.parse(raw), lastEventId);
    } catch {
      data = undefined;
    }
    if (type === "snapshot") {
      const s = parseSnapshot(data);
      if (!s) return this.malformed(type, raw);
      this.batch.flush();
      this.liveEver = true;
      this.synced = true;
      this.needsSnapshot = false;
      this.publish(this.store.applySnapshot(s, "snapshot"), s.revision, "snapshot");
      this.setState("ready", "snapshot received");
      this.settleWaiters();
      return;
    }
    if (!this.synced) return; // never layer events on state the server did not vouch for
    const change = parseChange(type, data);
    if (!change) return this.malformed(type, raw);
    this.batch.add(change);
  }

  private applyBatch(events: StreamChange[]): void {
    const result = applyChanges(this.store, events);
    if (result.applied) this.publish(result, events[0]!.payload.revision, events[0]!.type);
  }

  /** A malformed event could hide a change; never guess: resync from a fresh snapshot. */
  private malformed(type: string, raw: string): void {
    this.logger.error(`mizuflow: malformed '${type}' event, resyncing`, raw.slice(0, 200));
    this.needsSnapshot = true;
    this.synced = false;
    this.batch.discard();
    this.connection.restart("malformed event");
  }

  private onDrop(info: DropInfo): void {
    this.synced = false;
    // An id may be incomplete: the resumed stream replays it whole from the applied revision.
    this.batch.discard();
    const refused = info.status === 401 || info.status === 403;
    // Loud once per outage, quiet for the retries that follow.
    const firstFailure = this.current === "ready" || this.current === "connecting";
    const level = refused ? "error" : firstFailure ? "warn" : "debug";
    this.logger[level]?.(`mizuflow: ${info.reason}; reconnecting in ${info.retryInMs} ms`);
    if (refused) {
      this.refusal = info.reason;
      this.setState("error", info.reason);
      for (const w of [...this.waiters]) w.reject(new Error(`mizuflow: ${info.reason}`));
    } else {
      this.setState(this.store.hasData ? "stale" : "error", info.reason);
    }
  }

  private publish(result: ApplyResult, revision: number, source: ClientEvents["update"]["source"]): void {
    if (result.regressions.length) {
      this.logger.warn(`mizuflow: ignored older versions of ${result.regressions.join(", ")} at revision ${revision}`);
    }
    if (source !== "local") this.reporter?.changed();
    if (source !== "local") this.persister?.schedule(() => ({ revision: this.store.revision, environment: this.store.environment, flags: this.store.all(), segments: this.store.segments.all() }));
    if (!result.changes.length) return;
    for (const change of result.changes) this.emitter.emit("change", change);
    this.emitter.emit("update", { revision, source, changes: result.changes });
  }

  private settleWaiters(): void {
    for (const w of [...this.waiters]) if (w.live ? this.liveEver : this.store.hasData) w.resolve();
  }

  private setState(next: ClientState, reason: string): void {
    if (next === this.current || this.current === "closed") return;
    const previous = this.current;
    this.current = next;
    this.logger.debug?.(`mizuflow: ${previous} -> ${next} (${reason})`);
    if (next === "ready") this.reporter?.ready();
    else if (next !== "closed") this.reporter?.changed();
    this.emitter.emit("state", { state: next, previous, reason });
  }
}

function parseChange(type: StreamEventType, data: unknown): StreamChange | null {
  switch (type) {
    case "put": {
      const payload = parsePut(data);
      return payload && { type, payload };
    }
    case "delete": {
      const payload = parseDelete(data);
      return payload && { type, payload };
    }
    case "segment": {
      const payload = parseSegment(data);
      return payload && { type, payload };
    }
    case "segment-delete": {
      const payload = parseSegmentDelete(data);
      return payload && { type, payload };
    }
    default:
      return null;
  }
}
