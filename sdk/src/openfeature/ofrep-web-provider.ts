import type { ErrorCode, EvaluationContext, FlagMetadata, JsonValue, ResolutionDetails } from "@openfeature/core";
import { OpenFeatureEventEmitter, ProviderEvents, type Provider, type ProviderEmittableEvents } from "@openfeature/web-sdk";
import { fullJitterDelay } from "../backoff";
import { fetchBulk, joinUrl, OFREP_EVENTS_PATH, type BulkOutcome, type OfrepFlagEvaluation } from "../ofrep/bulk-fetch";
import { RevisionReporter } from "../revision-reporter";
import type { FetchFn } from "../sse-fetch";
import { StreamConnection, type EventSourceConstructor } from "../stream-connection";
import type { ClientState, Logger } from "../types";

export interface MizuFlowOfrepWebProviderOptions {
  /** Where MizuFlow serves OFREP (either server: the app or the worker's stream port). */
  baseUrl: string;
  /** A client SDK key (browsers: its allowed origins must list the page's origin). */
  sdkKey: string;
  /** Namespace for flag keys given without `namespace/`. */
  defaultNamespace?: string;
  /** Report the applied revision (`POST /api/sdk/v1/report`) for the console's "N of M clients". Default true. */
  reportRevision?: boolean;
  reportIntervalMs?: number;
  /** Per bulk request. Default 10000. */
  timeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  fetch?: FetchFn;
  /** Default: the browser's EventSource. */
  EventSource?: EventSourceConstructor;
  logger?: Logger;
}

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * MizuFlow's own OpenFeature web provider over OFREP, for client keys: the server evaluates (rules
 * and segments never reach the page). One bulk evaluation per context (`If-None-Match` with the
 * last ETag, so an unchanged scope costs a 304); `/ofrep/v1/events` (the SDK's StreamConnection:
 * full-jitter backoff, resume with `?last_event_id=`) says when to re-fetch; changed flags are
 * announced with ConfigurationChanged. Evaluation is synchronous from the last bulk result and
 * never throws: a missing flag, a wrong type or a server-side error gives the default with the
 * OpenFeature error code.
 */
export class MizuFlowOfrepWebProvider implements Provider {
  readonly metadata = { name: "MizuFlow OFREP" } as const;
  readonly runsOn = "client" as const;
  readonly events = new OpenFeatureEventEmitter();
  private flags: Map<string, OfrepFlagEvaluation> | null = null;
  private etag: string | null = null;
  private revision = 0;
  private context: EvaluationContext = {};
  private contextGen = 0;
  private fetching = false;
  private again = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private state: ClientState = "connecting";
  private stream: StreamConnection | null = null;
  private streamOpened = false;
  private lastEventId: number | null = null;
  private readonly reporter: RevisionReporter | null;
  private readonly log: Logger;
  private readonly fetchFn: FetchFn;

  constructor(private readonly o: MizuFlowOfrepWebProviderOptions) {
    this.log = o.logger ?? quiet;
    this.fetchFn = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.reporter =
      o.reportRevision === false
        ? null
        : new RevisionReporter({
            url: joinUrl(o.baseUrl, "/api/sdk/v1/report"),
            sdkKey: o.sdkKey,
            // ?sdk_key= with a text/plain body: a CORS-simple request, no preflight per report.
            authMode: "query",
            intervalMs: o.reportIntervalMs ?? 5_000,
            current: () => ({ revision: this.revision, state: this.state }),
            logger: this.log,
          });
  }

  /** The first bulk evaluation; rejects (provider ERROR) when it fails, but keeps trying in the background. */
  async initialize(context?: EvaluationContext): Promise<void> {
    this.context = context ?? {};
    const out = await this.fetchNow(false);
    this.openEvents(out.kind === "ok" ? out.eventsUri : null);
    if (out.kind !== "ok") {
      if (out.kind === "error" && out.status !== 401 && out.status !== 403) this.scheduleRetry(out.retryAfterMs);
      throw new Error(`mizuflow: OFREP bulk evaluation failed: ${out.kind === "error" ? out.message : out.kind}`);
    }
  }

  /** The web SDK's static context changed: evaluate again for it (RECONCILING until done). */
  async onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    this.context = next;
    this.contextGen++;
    const out = await this.fetchNow(false);
    if (out.kind === "error") throw new Error(`mizuflow: OFREP bulk evaluation for the new context failed: ${out.message}`);
  }

  onClose(): Promise<void> {
    this.state = "closed";
    clearTimeout(this.retryTimer);
    this.stream?.close();
    this.reporter?.close();
    return Promise.resolve();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(flagKey, "boolean", defaultValue);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(flagKey, "string", defaultValue);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(flagKey, "number", defaultValue);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(flagKey, "object", defaultValue);
  }

  private resolve<T>(flagKey: string, type: "boolean" | "string" | "number" | "object", defaultValue: T): ResolutionDetails<T> {
    const fail = (code: string, message: string, flagMetadata?: FlagMetadata): ResolutionDetails<T> => ({
      value: defaultValue,
      reason: "ERROR",
      errorCode: code as ErrorCode,
      errorMessage: message,
      ...(flagMetadata ? { flagMetadata } : {}),
    });
    try {
      if (!this.flags) return fail("PROVIDER_NOT_READY", "no evaluation has been received yet");
      const key = flagKey.includes("/") || !this.o.defaultNamespace ? flagKey : `${this.o.defaultNamespace}/${flagKey}`;
      const e = this.flags.get(key);
      if (!e) return fail("FLAG_NOT_FOUND", `flag '${key}' is not in this key's scope`);
      const flagMetadata = toFlagMetadata(e.metadata);
      if (e.errorCode) return fail(KNOWN_CODES.has(e.errorCode) ? e.errorCode : "GENERAL", e.errorDetails ?? e.errorCode, flagMetadata);
      const actual = e.value === null ? "null" : Array.isArray(e.value) ? "object" : typeof e.value;
      if (actual !== type) return fail("TYPE_MISMATCH", `flag '${key}' is ${actual}, asked as ${type}`, flagMetadata);
      return { value: e.value as T, reason: e.reason ?? "UNKNOWN", ...(e.variant !== undefined ? { variant: e.variant } : {}), flagMetadata };
    } catch (err) {
      return fail("GENERAL", String(err));
    }
  }

  /**
   * One bulk request now, applied if its context is still current. With `useEtag` a 304 keeps the
   * state; a changed scope replaces it and emits ConfigurationChanged with the changed keys.
   */
  private async fetchNow(useEtag: boolean): Promise<BulkOutcome> {
    const gen = this.contextGen;
    const out = await fetchBulk({ baseUrl: this.o.baseUrl, sdkKey: this.o.sdkKey, context: this.context, etag: useEtag ? this.etag : null, fetch: this.fetchFn, timeoutMs: this.o.timeoutMs ?? 10_000 });
    if (gen !== this.contextGen || this.state === "closed") return out;
    if (out.kind === "ok") {
      const changed = this.flags ? changedKeys(this.flags, out.flags) : [];
      const wasFailing = this.state === "error" || this.state === "stale";
      const first = this.flags === null;
      this.flags = out.flags;
      this.etag = out.etag;
      if (out.revision !== null) this.revision = out.revision;
      this.state = "ready";
      this.attempt = 0;
      if (first) this.reporter?.ready();
      else this.reporter?.changed();
      if (useEtag && changed.length > 0) this.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed });
      if (useEtag && wasFailing) this.emit(ProviderEvents.Ready);
    } else if (out.kind === "not-modified") {
      this.attempt = 0;
      if (this.state !== "ready") {
        this.state = "ready";
        this.emit(ProviderEvents.Ready);
      }
    } else {
      this.log.warn(`mizuflow: OFREP bulk evaluation failed (${out.status ?? "no answer"}): ${out.message}`);
      const refused = out.status === 401 || out.status === 403;
      const next: ClientState = refused || this.flags === null ? "error" : "stale";
      if (useEtag && next !== this.state) this.emit(next === "error" ? ProviderEvents.Error : ProviderEvents.Stale, { message: out.message });
      this.state = next;
    }
    return out;
  }

  /** A refetch announced by the event stream (or a retry): one request at a time, repeated once if more came meanwhile. */
  private refetch(): void {
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    void (async () => {
      try {
        do {
          this.again = false;
          const out = await this.fetchNow(true);
          if (out.kind === "error" && out.status !== 401 && out.status !== 403) this.scheduleRetry(out.retryAfterMs);
        } while (this.again && this.state !== "closed");
      } finally {
        this.fetching = false;
      }
    })();
  }

  private scheduleRetry(retryAfterMs?: number): void {
    if (this.retryTimer || this.state === "closed") return;
    const base = this.o.initialBackoffMs ?? 1_000;
    const wait = (retryAfterMs ?? 0) + fullJitterDelay(this.attempt++, base, this.o.maxBackoffMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refetch();
    }, wait);
  }

  private openEvents(announced: string | null): void {
    const EventSourceImpl = this.o.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    if (!EventSourceImpl) return this.log.warn("mizuflow: no EventSource: OFREP changes are only seen on a context change");
    const url = new URL(joinUrl(this.o.baseUrl, announced ?? OFREP_EVENTS_PATH));
    // StreamConnection adds the key (query mode: EventSource sets no headers) and the resume point.
    url.searchParams.delete("sdk_key");
    this.stream = new StreamConnection({
      url: url.toString(),
      sdkKey: this.o.sdkKey,
      authMode: "query",
      EventSource: EventSourceImpl,
      fetch: this.o.fetch,
      initialBackoffMs: this.o.initialBackoffMs ?? 1_000,
      maxBackoffMs: this.o.maxBackoffMs ?? 30_000,
      idleTimeoutMs: 45_000,
      eventTypes: ["message"],
      // From the bulk result's revision: a change between it and the stream opening is replayed.
      resumeFrom: () => this.lastEventId ?? (this.revision || null),
      onOpen: () => {
        // After a drop the server may have changed more than the resume point shows: re-validate (a 304 when not).
        if (this.streamOpened) this.refetch();
        this.streamOpened = true;
      },
      onEvent: (_type, data, lastEventId) => {
        const id = Number(lastEventId);
        if (Number.isSafeInteger(id) && id > 0) this.lastEventId = id;
        if (isRefetch(data)) this.refetch();
      },
      onDrop: (info) => {
        this.log.debug?.(`mizuflow: OFREP event stream dropped (${info.reason}); retry in ${info.retryInMs} ms`);
        // A browser's EventSource hides why (a revoked key, a server gone): re-validate now, so a
        // refusal becomes ERROR and an unreachable server STALE instead of silently serving on.
        this.refetch();
      },
      logger: this.log,
    });
    this.stream.start();
  }

  private emit(event: ProviderEvents, details?: Record<string, unknown>): void {
    try {
      this.events.emit(event as ProviderEmittableEvents, details);
    } catch (err) {
      this.log.error("mizuflow: a provider event handler threw", err);
    }
  }
}

const KNOWN_CODES = new Set(["FLAG_NOT_FOUND", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "PARSE_ERROR", "TYPE_MISMATCH", "GENERAL"]);

function isRefetch(data: string): boolean {
  try {
    return (JSON.parse(data) as { type?: unknown }).type === "refetchEvaluation";
  } catch {
    return false;
  }
}

function changedKeys(before: Map<string, OfrepFlagEvaluation>, after: Map<string, OfrepFlagEvaluation>): string[] {
  const out: string[] = [];
  for (const [key, e] of after) if (!before.has(key) || JSON.stringify(before.get(key)) !== JSON.stringify(e)) out.push(key);
  for (const key of before.keys()) if (!after.has(key)) out.push(key);
  return out;
}

function toFlagMetadata(meta: Record<string, unknown> | undefined): FlagMetadata {
  const out: FlagMetadata = {};
  for (const [k, v] of Object.entries(meta ?? {})) if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  return out;
}
