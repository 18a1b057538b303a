import { fullJitterDelay, refusalDelay, unreachableDelay } from "./backoff";
import { createSseFetch, parseRetryAfter, type FetchFn, type SseFetchInit, type SseFetchResponse } from "./sse-fetch";
import type { Logger } from "./types";

/** What the SDK needs of an EventSource: the browser's native one and eventsource v4 both fit. */
export interface EventSourceLike {
  readonly readyState: number;
  close(): void;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
}

export interface EventSourceInitLike {
  withCredentials?: boolean;
  /** eventsource v4 only; a native EventSource ignores it. */
  fetch?: (url: string | URL, init: SseFetchInit) => Promise<SseFetchResponse>;
}

export type EventSourceConstructor = new (url: string, init?: EventSourceInitLike) => EventSourceLike;

export type StreamEventType = "snapshot" | "put" | "delete" | "segment" | "segment-delete";

export interface DropInfo {
  status?: number;
  reason: string;
  retryInMs: number;
}

export interface StreamConnectionOptions {
  /** Full URL of the stream endpoint. */
  url: string;
  sdkKey: string;
  /** `header`: Authorization header through eventsource v4's fetch. `query`: `?sdk_key=` (native EventSource). */
  authMode: "header" | "query";
  EventSource: EventSourceConstructor;
  fetch?: FetchFn;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Reconnect when nothing (not even a heartbeat) arrived for this long; needs the fetch hook. */
  idleTimeoutMs: number;
  /** The revision to resume after, or null to ask for a fresh snapshot. Read at each connect. */
  resumeFrom(): number | null;
  onOpen(): void;
  /**
   * Event names to listen for; default the SDK stream's (`EVENT_TYPES`). OFREP's event stream
   * (the web OFREP provider) sends `message`, which is handed to `onEvent` under that name.
   */
  eventTypes?: readonly string[];
  onEvent(type: StreamEventType, data: string, lastEventId: string): void;
  onDrop(info: DropInfo): void;
  logger: Logger;
  random?: () => number;
}

const EVENT_TYPES: StreamEventType[] = ["snapshot", "put", "delete", "segment", "segment-delete"];

/**
 * One logical stream subscription over successive EventSource instances.
 *
 * Why not the EventSource's own reconnect: both the browser's and eventsource v4's retry at a fixed
 * interval (the server's `retry:`), with no jitter and no growth, so after a server restart every
 * SDK comes back at the same instant, and both give up for good on a non-200 answer. So on any
 * error this closes the instance and opens a new one after a full-jitter exponential delay whose
 * base is the server's `retry:` (seen through the fetch hook; `initialBackoffMs` otherwise); while
 * nothing answers at all (a restart), the delay stops growing at 2 x base (backoff.ts). A new
 * instance does not carry the last event id, so the resume point goes in `?last_event_id=` (and in
 * the `Last-Event-ID` header where headers can be set).
 */
export class StreamConnection {
  private es: EventSourceLike | null = null;
  private generation = 0;
  private attempt = 0;
  private serverRetryMs: number | null = null;
  private lastStatus: number | undefined;
  private retryAfterMs: number | undefined;
  private sniffing = false;
  private closed = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: StreamConnectionOptions) {}

  start(): void {
    if (!this.closed && !this.es && !this.reconnectTimer) this.connect();
  }

  /** Drops the current connection and reconnects after the usual backoff. */
  restart(reason: string): void {
    if (!this.closed && this.es) this.drop(undefined, reason);
  }

  close(): void {
    this.closed = true;
    this.teardown();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    const gen = ++this.generation;
    const o = this.opts;
    const resume = o.resumeFrom();
    const url = new URL(o.url);
    if (o.authMode === "query") url.searchParams.set("sdk_key", o.sdkKey);
    if (resume !== null) url.searchParams.set("last_event_id", String(resume));
    this.lastStatus = undefined;
    this.retryAfterMs = undefined;
    this.sniffing = false;
    const current = () => gen === this.generation && !this.closed;
    const fetch = createSseFetch(o.fetch ?? ((input, init) => globalThis.fetch(input, init)), {
      headers: () => ({
        ...(o.authMode === "header" ? { Authorization: `Bearer ${o.sdkKey}` } : {}),
        ...(resume !== null ? { "Last-Event-ID": String(resume) } : {}),
      }),
      onResponse: (status, headers) => {
        if (!current()) return;
        this.lastStatus = status;
        if (status !== 200) this.retryAfterMs = parseRetryAfter(headers.get("retry-after"));
      },
      onRetry: (ms) => {
        if (current() && ms > 0) this.serverRetryMs = ms;
      },
      onActivity: () => {
        if (!current()) return;
        this.sniffing = true;
        this.armIdleTimer();
      },
    });
    const es = new o.EventSource(url.toString(), { fetch });
    this.es = es;
    es.addEventListener("open", () => {
      if (!current()) return;
      // A connection that stays up for a while counts as healthy even if no event came (a resume
      // with nothing missed sends only heartbeats).
      this.stableTimer = unref(setTimeout(() => (this.attempt = 0), Math.max(2 * this.base(), 2000)));
      o.onOpen();
    });
    for (const type of (o.eventTypes ?? EVENT_TYPES) as readonly StreamEventType[]) {
      es.addEventListener(type, (ev) => {
        if (!current()) return;
        this.attempt = 0;
        o.onEvent(type, String(ev.data), ev.lastEventId ?? "");
      });
    }
    es.addEventListener("error", (ev) => {
      if (!current()) return;
      // eventsource v4's ErrorEvent adds `code` (HTTP status) and `message`; a browser's has neither.
      const detail = ev as unknown as { code?: number; message?: string };
      const status = detail.code ?? this.lastStatus;
      this.drop(status, status && status !== 200 ? `stream refused with HTTP ${status}` : (detail.message || "stream disconnected"));
    });
  }

  private drop(status: number | undefined, reason: string): void {
    this.teardown();
    const o = this.opts;
    const refused = status === 401 || status === 403;
    const retryAfter = this.retryAfterMs;
    let retryInMs: number;
    if (refused) retryInMs = refusalDelay(o.maxBackoffMs, o.random);
    // Rate limited (429/503 with Retry-After): at least what the server asked, plus jitter.
    else if (retryAfter !== undefined) retryInMs = retryAfter + fullJitterDelay(0, this.base(), o.maxBackoffMs, o.random);
    else if (status === undefined) retryInMs = unreachableDelay(this.attempt, this.base(), o.maxBackoffMs, o.random);
    else retryInMs = fullJitterDelay(this.attempt, this.base(), o.maxBackoffMs, o.random);
    this.attempt++;
    o.onDrop({ status, reason, retryInMs });
    if (!this.closed) this.reconnectTimer = setTimeout(() => this.connect(), retryInMs);
  }

  private teardown(): void {
    this.generation++;
    clearTimeout(this.idleTimer);
    clearTimeout(this.stableTimer);
    this.es?.close();
    this.es = null;
  }

  private base(): number {
    return this.serverRetryMs ?? this.opts.initialBackoffMs;
  }

  private armIdleTimer(): void {
    if (!this.sniffing || this.opts.idleTimeoutMs <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = unref(setTimeout(() => {
      this.opts.logger.warn(`mizuflow: nothing received for ${this.opts.idleTimeoutMs} ms, reconnecting`);
      this.drop(undefined, "stream idle");
    }, this.opts.idleTimeoutMs));
  }
}

function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
