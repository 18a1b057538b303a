import type { Db } from "../../db/client";
import { metrics } from "../../observability/metrics";
import { sdkKeyStanding, verifySdkKey, type SdkKeyStanding, type SdkKeyVerification, type SdkPrincipal } from "../../sdk-keys/verify-sdk-key";
import { defaultMaxStreams } from "./stream-capacity";
import { ClientReports, type ClientReportsOptions } from "../presence/client-report";
import { compileTrustedProxies, type TrustProxy } from "./client-address";
import { DEFAULT_FAILED_AUTH_PER_ADDRESS, FailedAuthLimit, type GatedVerification } from "./failed-auth-limit";
import { errorReply, etagMatches, jsonHeaders, keyLookupsBusy, tooManyAttempts, tooManyFailedAuths, type HttpReply } from "./http-shape";
import type { HubEvent, ScopeSnapshot } from "../hub/hub-types";
import { TokenBuckets, type BucketSpec } from "./rate-limit";
import { lastEventIdFrom, sdkKeyFrom, type SdkRequest } from "./request-credentials";
import { revocationSweep } from "./revocation-check";
import { ScopeCache, type Scope } from "../hub/scope";
import { retryFrame, snapshotEtag, snapshotJson } from "./sse-frames";
import { StreamConnection, type CloseReason, type ConnectionOwner, type StreamSink } from "./stream-connection";
import type { HubLog, WatchHub } from "../hub/watch-hub";

export interface RateLimitOptions {
  /** Connection attempts per SDK key (sized for a fleet sharing one key); false disables. */
  perKey?: BucketSpec | false;
  /**
   * Failed SDK key checks per client address (failed-auth-limit.ts), shared with the report
   * endpoint; valid keys are never limited by address. false disables.
   */
  failedAuthPerAddress?: BucketSpec | false;
}

export interface StreamCoreOptions {
  db: Db;
  hub: WatchHub;
  /** Metric label: "sidecar" (node:http stream server) or "next" (route handlers). */
  transport: string;
  heartbeatMs?: number;
  retryMs?: number;
  /** A stream whose unsent backlog exceeds this many bytes is disconnected. */
  maxBufferedBytes?: number;
  /** How often open streams' keys are re-checked against MySQL (revocation). */
  revocationCheckMs?: number;
  /** How long a request waits for the hub's first snapshot before answering 503. */
  readyTimeoutMs?: number;
  rateLimit?: RateLimitOptions | false;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client address (default: none). */
  trustedProxies?: readonly string[];
  /** Open streams this core holds at most; more are refused with 503 (default: defaultMaxStreams()). */
  maxStreams?: number;
  verify?: (key: string) => Promise<SdkKeyVerification>;
  /** What is known about a key without a lookup; with a custom `verify`, defaults to "unverified". */
  standing?: (key: string) => SdkKeyStanding;
  /** The revision report endpoint and presence publishing (client-report.ts). */
  reports?: Pick<ClientReportsOptions, "rateLimit" | "table" | "publisher">;
  log?: HubLog;
}

export type Admission = { ok: true; principal: SdkPrincipal; scope: Scope; lastEventId: number | null } | { ok: false; reply: HttpReply };

const CLIENT_KEY_REFUSED =
  "This is a client SDK key: it cannot read the flag stream or snapshot. Evaluate flags with OFREP (POST /ofrep/v1/evaluate/flags) instead, or use a server key";

const BEARER = { "www-authenticate": 'Bearer realm="mizuflow-sdk"' };

/**
 * Per key: 10,000 instances of a service reconnecting at once after a stream-server restart all
 * get in, and a runaway reconnect loop is held to 2,000 attempts a second. Per address only failed
 * authentications count (one address is often a whole fleet behind a NAT or load balancer).
 */
export const DEFAULT_RATE_LIMIT: Required<RateLimitOptions> = {
  perKey: { burst: 10_000, perSecond: 2_000 },
  failedAuthPerAddress: DEFAULT_FAILED_AUTH_PER_ADDRESS,
};

/**
 * Everything the two SDK transports share (docs/PROTOCOL.md); an adapter
 * only turns its request into an SdkRequest and its response into a StreamSink.
 *
 * - `admit` runs before any stream opens, so failures are real HTTP statuses: capacity (503),
 *   failed authentications per address (429, never for a key known valid), SDK key (401 unknown /
 *   403 revoked), per-key rate limit (429), hub readiness (503), and the resume point.
 * - `open` subscribes to the hub and writes `retry` plus the first event at once.
 * - One heartbeat timer and one revocation timer serve all streams of the core.
 */
export class StreamCore implements ConnectionOwner {
  readonly hub: WatchHub;
  readonly maxBufferedBytes: number;
  private readonly db: Db;
  private readonly transport: string;
  private readonly retry: Buffer;
  private readonly readyTimeoutMs: number;
  readonly maxStreams: number;
  /** Which peers' X-Forwarded-For the adapters believe when they derive the client address. */
  readonly trustProxy: TrustProxy;
  /** POST /api/sdk/v1/report and this process's presence table and publisher. */
  readonly reports: ClientReports;
  private readonly verify: (key: string) => Promise<SdkKeyVerification>;
  private readonly log: HubLog;
  private readonly perKey: TokenBuckets | null;
  private readonly failedAuth: FailedAuthLimit;
  private readonly conns = new Set<StreamConnection>();
  private readonly byKey = new Map<number, Set<StreamConnection>>();
  private readonly scopes = new ScopeCache();
  private readonly pending = { put: 0, delete: 0, snapshot: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly offBatch: () => void;
  /** One revocation sweep (revocation-check.ts, shared with OFREP's event streams). */
  private readonly checkRevocations: () => Promise<void>;
  private closed = false;
  private stopping: Promise<void> = Promise.resolve();

  constructor(opts: StreamCoreOptions) {
    this.db = opts.db;
    this.hub = opts.hub;
    this.transport = opts.transport;
    this.retry = retryFrame(opts.retryMs ?? 1000);
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 1024 * 1024;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 5_000;
    this.maxStreams = opts.maxStreams ?? defaultMaxStreams();
    this.trustProxy = compileTrustedProxies(opts.trustedProxies ?? []);
    this.verify = opts.verify ?? ((key) => verifySdkKey(this.db, key));
    const standing = opts.standing ?? (opts.verify ? () => "unverified" as const : (key: string) => sdkKeyStanding(this.db, key));
    this.log = opts.log ?? (() => {});
    const rl = opts.rateLimit === false ? { perKey: false as const, failedAuthPerAddress: false as const } : { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit };
    this.perKey = rl.perKey ? new TokenBuckets(rl.perKey) : null;
    this.failedAuth = new FailedAuthLimit(rl.failedAuthPerAddress, standing);
    this.reports = new ClientReports({
      rateLimit: opts.rateLimit === false ? false : undefined,
      ...opts.reports,
      root: this.hub.root,
      published: { known: () => this.hub.knownEtcdRevision, fetch: () => this.hub.fetchEtcdRevision() },
      verify: this.verify,
      // One budget of failures per address for both endpoints: alternating them gains nothing.
      failedAuth: this.failedAuth,
      transport: this.transport,
      log: this.log,
    });
    // The protocol promises a heartbeat at least every 15 s; 14 s leaves room for timer drift.
    const heartbeat = setInterval(() => this.heartbeatAll(), opts.heartbeatMs ?? 14_000);
    this.checkRevocations = revocationSweep(
      this.db,
      () => [...this.byKey.keys()],
      (id) => [...(this.byKey.get(id) ?? [])].forEach((conn) => conn.close("revoked")),
      (err) => this.log("warn", "SDK key revocation check failed", err),
    );
    const revocation = setInterval(() => void this.checkRevocations(), opts.revocationCheckMs ?? 400);
    for (const t of [heartbeat, revocation]) t.unref();
    this.timers.push(heartbeat, revocation);
    this.offBatch = this.hub.onBatch((events) => this.afterBatch(events));
    void this.hub.start();
  }

  get openStreams(): number {
    return this.conns.size;
  }

  /** Authenticates and checks an SDK request; nothing is opened yet. */
  async admit(req: SdkRequest, kind: "stream" | "flags"): Promise<Admission> {
    if (this.closed) return { ok: false, reply: errorReply("unavailable", "The server is shutting down") };
    if (kind === "stream" && this.conns.size >= this.maxStreams) {
      metrics.streamsRefused.inc({ transport: this.transport, reason: "capacity" });
      // Spread the retries so a full server is not hit by every refused client at once.
      const retryAfter = String(1 + Math.floor(Math.random() * 5));
      return { ok: false, reply: errorReply("unavailable", `This server holds its maximum of ${this.maxStreams} streams; retry later`, { "retry-after": retryAfter }) };
    }
    let gated: GatedVerification;
    try {
      gated = await this.failedAuth.verify(req.address, sdkKeyFrom(req), this.verify);
    } catch (err) {
      this.log("error", "SDK key verification failed", err);
      return { ok: false, reply: errorReply("unavailable", "Cannot verify SDK keys right now; retry shortly", { "retry-after": "1" }) };
    }
    if (!gated.ok) {
      metrics.streamsRefused.inc({ transport: this.transport, reason: "failed_auth" });
      return { ok: false, reply: tooManyFailedAuths(gated.retryAfterMs) };
    }
    const verdict = gated.verdict;
    if (!verdict) return { ok: false, reply: errorReply("unauthenticated", "An SDK key is required (Authorization: Bearer <key> or ?sdk_key=)", BEARER) };
    if (verdict.status === "unknown") return { ok: false, reply: errorReply("unauthenticated", "Unknown SDK key", BEARER) };
    if (verdict.status === "revoked") return { ok: false, reply: errorReply("forbidden", "This SDK key has been revoked") };
    if (verdict.status === "busy") return { ok: false, reply: keyLookupsBusy(verdict.retryAfterMs) };
    const { principal } = verdict;
    if (principal.kind === "client") {
      // Stream and snapshot carry flag data (and, with targeting, rules): never for a device.
      return { ok: false, reply: errorReply("forbidden", CLIENT_KEY_REFUSED) };
    }
    if (this.perKey) {
      const wait = this.perKey.take(String(principal.keyId));
      if (wait) {
        metrics.streamsRefused.inc({ transport: this.transport, reason: "key_rate" });
        return { ok: false, reply: tooManyAttempts(wait, "SDK key") };
      }
    }
    if (!(await this.hub.whenReady(this.readyTimeoutMs))) {
      return { ok: false, reply: errorReply("unavailable", "Flag delivery is starting; retry shortly", { "retry-after": "1" }) };
    }
    return { ok: true, principal, scope: this.scopeOf(principal), lastEventId: await this.resumePoint(lastEventIdFrom(req)) };
  }

  /**
   * An id ahead of everything this hub has heard of is either from a process whose hub is a bit
   * ahead (fine: we skip up to it) or bogus (a client would then wait forever for nothing): ask
   * etcd. If etcd cannot answer, trust the client, which is right unless it is broken.
   */
  private async resumePoint(id: number | null): Promise<number | null> {
    if (id === null || id <= this.hub.knownEtcdRevision) return id;
    try {
      return id <= (await this.hub.fetchEtcdRevision()) ? id : null;
    } catch {
      return id;
    }
  }

  /** Opens the stream on `sink`: subscribes and writes the first chunk synchronously. */
  open(admitted: Extract<Admission, { ok: true }>, sink: StreamSink): StreamConnection {
    const conn = new StreamConnection(this, admitted.scope, admitted.principal.keyId, sink);
    if (this.closed) {
      conn.closed = true;
      sink.close(false);
      return conn;
    }
    const start = this.hub.subscribe(conn, admitted.lastEventId);
    this.conns.add(conn);
    let set = this.byKey.get(conn.keyId);
    if (!set) this.byKey.set(conn.keyId, (set = new Set()));
    set.add(conn);
    metrics.openStreams.inc({ transport: this.transport });
    conn.begin(start, this.retry);
    return conn;
  }

  /** GET /flags: the scope's snapshot as JSON, or 304 when the client's ETag is current. */
  flags(admitted: Extract<Admission, { ok: true }>, ifNoneMatch: string | null): HttpReply {
    const snap = this.hub.snapshot(admitted.scope);
    const etag = snapshotEtag(snap);
    if (etagMatches(ifNoneMatch, etag)) return { status: 304, headers: jsonHeaders({ etag }), body: "" };
    return { status: 200, headers: jsonHeaders({ etag }), body: snapshotJson(snap) };
  }

  // -- ConnectionOwner -----------------------------------------------------------------------

  snapshotFor(scope: Scope): ScopeSnapshot {
    return this.hub.snapshot(scope);
  }

  counted(event: "put" | "delete" | "snapshot", n: number): void {
    this.pending[event] += n;
  }

  detach(conn: StreamConnection, reason: CloseReason): void {
    if (!this.conns.delete(conn)) return;
    this.hub.unsubscribe(conn);
    const set = this.byKey.get(conn.keyId);
    if (set?.delete(conn) && set.size === 0) this.byKey.delete(conn.keyId);
    metrics.openStreams.dec({ transport: this.transport });
    if (reason === "slow") metrics.slowConsumerDisconnects.inc({ transport: this.transport });
  }

  // -- timers and hub hooks ------------------------------------------------------------------

  /** After a batch reached every stream: one latency observation per event, counters flushed once. */
  private afterBatch(events: readonly HubEvent[]): void {
    const pushed = this.pending.put + this.pending.delete;
    this.flushCounts();
    if (pushed === 0) return;
    const now = Date.now();
    for (const ev of events) {
      if (Number.isFinite(ev.committedAtMs)) {
        metrics.propagationSeconds.observe({ transport: this.transport }, Math.max(0, now - ev.committedAtMs) / 1000);
      }
    }
  }

  private flushCounts(): void {
    for (const event of ["put", "delete", "snapshot"] as const) {
      if (this.pending[event]) {
        metrics.eventsPushed.inc({ transport: this.transport, event }, this.pending[event]);
        this.pending[event] = 0;
      }
    }
  }

  private heartbeatAll(): void {
    for (const conn of this.conns) conn.heartbeat();
    this.flushCounts();
  }

  private scopeOf(p: SdkPrincipal): Scope {
    return this.scopes.of(p);
  }

  /**
   * Ends every open stream (clients reconnect, to this or another server, and resume). For draining
   * a server before a restart.
   */
  disconnectAll(): void {
    for (const conn of [...this.conns]) conn.close("shutdown");
  }

  /**
   * Closes every stream and stops the timers (the hub is left running; it may be shared). The
   * promise resolves once this process's presence summary is withdrawn from etcd; a caller that
   * does not wait loses nothing (the summary's lease expires within seconds).
   */
  close(): Promise<void> {
    if (this.closed) return this.stopping;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.offBatch();
    this.disconnectAll();
    this.flushCounts();
    this.stopping = this.reports.stop();
    return this.stopping;
  }
}
