import type { ClientState, Logger } from "./types";

/**
 * Tells the server which revision this client has applied (`POST {url}/api/sdk/v1/report`), so the
 * console can show "N of M clients at revision >= R". Best effort by design: a report that fails is
 * dropped (the next one carries the newer state anyway), nothing is retried, and nothing here can
 * affect evaluation or throw into the application.
 *
 * When: once the client is first ready; then after applied changes, at most one report per
 * `intervalMs` with a trailing one, so the last applied revision is always reported; and a heartbeat
 * when nothing was sent for `heartbeatMs` (10 s; a server forgets a client after 25 s, so a
 * client that died without `close()` stops counting soon). `close()`
 * stops the timers and sends one last `closed` report so the client stops being counted at once.
 *
 * Authentication is the stream's: `Authorization: Bearer` in header mode; `?sdk_key=` in query mode,
 * with a text/plain body, which makes the browser's request CORS-"simple" (no preflight each time).
 */
export interface ReportPayload {
  clientId: string;
  revision: number;
  state: ClientState;
  sdk: string;
}

export interface RevisionReporterOptions {
  /** Full URL of the report endpoint. */
  url: string;
  sdkKey: string;
  authMode: "header" | "query";
  intervalMs: number;
  heartbeatMs?: number;
  /** What to report, read when a report is sent (so a trailing report carries the latest). */
  current(): { revision: number; state: ClientState };
  logger: Logger;
}

export const SDK_NAME = "mizuflow-js/0.1.0";
export const MIN_REPORT_INTERVAL_MS = 1_000;
const HEARTBEAT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

export class RevisionReporter {
  readonly clientId = newClientId();
  private readonly intervalMs: number;
  private readonly heartbeatMs: number;
  private started = false;
  private closed = false;
  private lastSentAt = 0;
  private inFlight: AbortController | null = null;
  private again = false;
  private trailing: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: RevisionReporterOptions) {
    this.intervalMs = Math.max(MIN_REPORT_INTERVAL_MS, Number.isFinite(o.intervalMs) ? o.intervalMs : MIN_REPORT_INTERVAL_MS);
    this.heartbeatMs = Math.max(this.intervalMs, o.heartbeatMs ?? HEARTBEAT_MS);
  }

  /** The client is ready: the first report goes out now (later calls count as a change). */
  ready(): void {
    if (this.closed) return;
    if (this.started) return this.changed();
    this.started = true;
    this.send();
  }

  /** Something worth reporting changed (an applied event or snapshot, a state change). */
  changed(): void {
    if (!this.started || this.closed || this.trailing) return;
    const wait = this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) return this.send();
    this.trailing = unref(setTimeout(() => {
      this.trailing = undefined;
      this.send();
    }, wait));
  }

  /** Stops every timer and cancels a report in flight; then one last `closed` report, not awaited. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.trailing);
    clearTimeout(this.heartbeat);
    this.inFlight?.abort();
    if (this.started) void this.post({ ...this.payload(), state: "closed" }, new AbortController(), true);
  }

  private send(): void {
    if (this.closed) return;
    if (this.inFlight) {
      // One report at a time: the newer state goes out when this one is done.
      this.again = true;
      return;
    }
    this.lastSentAt = Date.now();
    clearTimeout(this.heartbeat);
    this.heartbeat = unref(setTimeout(() => {
      // A heartbeat carries the latest state, so a trailing report due at the same time is moot.
      clearTimeout(this.trailing);
      this.trailing = undefined;
      this.send();
    }, this.heartbeatMs));
    const ctl = new AbortController();
    this.inFlight = ctl;
    void this.post(this.payload(), ctl, false).finally(() => {
      if (this.inFlight === ctl) this.inFlight = null;
      if (this.again && !this.closed) {
        this.again = false;
        this.changed();
      }
    });
  }

  private payload(): ReportPayload {
    const { revision, state } = this.o.current();
    return { clientId: this.clientId, revision, state, sdk: SDK_NAME };
  }

  /** Never rejects. */
  private async post(body: ReportPayload, ctl: AbortController, keepalive: boolean): Promise<void> {
    const timer = unref(setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS));
    try {
      const header = this.o.authMode === "header";
      const url = new URL(this.o.url);
      if (!header) url.searchParams.set("sdk_key", this.o.sdkKey);
      const res = await globalThis.fetch(url.toString(), {
        method: "POST",
        headers: header
          ? { Authorization: `Bearer ${this.o.sdkKey}`, "Content-Type": "application/json" }
          : { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
        signal: ctl.signal,
        keepalive,
        credentials: "omit",
      });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) this.o.logger.debug?.(`mizuflow: revision report answered HTTP ${res.status}`);
    } catch (err) {
      if (!ctl.signal.aborted) this.o.logger.debug?.("mizuflow: revision report failed", err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** crypto.randomUUID needs a secure context in browsers; getRandomValues works everywhere. */
function newClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.randomUUID) {
    try {
      return c.randomUUID();
    } catch {
      // insecure context: fall through
    }
  }
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
