import type { Namespace } from "etcd3";
import { z } from "zod";
import { ServiceError } from "../../errors/service-error";
import { parseJsonBytes } from "../../http/read-json-body";
import { metrics } from "../../observability/metrics";
import type { SdkKeyStanding, SdkKeyVerification } from "../../sdk-keys/verify-sdk-key";
import { parseInput } from "../../validation/parse";
import { CLIENT_STATES, PresenceTable, scopeGroupKey } from "./client-presence";
import { DEFAULT_FAILED_AUTH_PER_ADDRESS, FailedAuthLimit, type GatedVerification } from "../stream/failed-auth-limit";
import { errorReply, keyLookupsBusy, noContent, serviceErrorReply, tooManyAttempts, tooManyFailedAuths, type HttpReply } from "../stream/http-shape";
import type { HubLog } from "../hub/hub-types";
import { PresencePublisher, type PresencePublisherOptions } from "./presence-publisher";
import { PublishedRevision, type PublishedRevisionSource } from "../hub/published-revision";
import { TokenBuckets, type BucketSpec } from "../stream/rate-limit";
import { sdkKeyFrom, type SdkRequest } from "../stream/request-credentials";

/**
 * POST /api/sdk/v1/report: an SDK says which revision it has applied, so the console can show
 * "N of M clients at revision >= R". Shared by the Next.js route handler and the sidecar stream
 * server (report-transport.ts adapts both).
 *
 * Order: failed authentications per client address (429; a key not known valid holds one of the
 * address's tokens while it is checked, so a flood of made-up keys cannot become a flood of MySQL
 * lookups; shared with the stream), SDK key (401 unknown / 403 revoked, the same verification and
 * cache as the stream), rate limit per key (429; sized for a fleet behind one address), body (413
 * over 4 KiB, 400 not JSON, 422 invalid), then the presence table and 204. Nothing is recorded unless every step passed. Fields the schema does
 * not name are ignored, so newer SDKs may send more.
 */
export const MAX_REPORT_BYTES = 4096;

export const ReportBodySchema = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 characters of A-Z, a-z, 0-9, '_' or '-'"),
  revision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  state: z.enum(CLIENT_STATES),
  sdk: z.string().max(64),
});

export type ReportBody = z.infer<typeof ReportBodySchema>;

/** Reads the request body, at most `limit` + 1 bytes (so "too large" is seen without buffering it all). */
export type BodyReader = (limit: number) => Promise<Uint8Array>;

export interface ReportRateLimit {
  /** Reports per SDK key, wherever they come from; false disables. */
  perKey?: BucketSpec | false;
  /** Failed SDK key checks per client address (ignored when `failedAuth` is passed); false disables. */
  failedAuthPerAddress?: BucketSpec | false;
}

/**
 * An SDK reports at most every 5 s (and right after a change), so 10,000 clients of one key after
 * a change are a burst of 10,000 and then at most 2,000 a second; a refused report is simply
 * dropped by the SDK. Per address only failed authentications count: a fleet behind one NAT
 * address is one address.
 */
export const DEFAULT_REPORT_RATE_LIMIT: Required<ReportRateLimit> = {
  perKey: { burst: 20_000, perSecond: 5_000 },
  failedAuthPerAddress: DEFAULT_FAILED_AUTH_PER_ADDRESS,
};

export interface ClientReportsOptions {
  root: Namespace;
  verify: (key: string) => Promise<SdkKeyVerification>;
  /** What is known about a key without a lookup (default: nothing, every key is "unverified"). */
  standing?: (key: string) => SdkKeyStanding;
  /** A failed-authentication limit to share (the stream core's); else one from `rateLimit`. */
  failedAuth?: FailedAuthLimit;
  /** Metric label: "sidecar" or "next". */
  transport: string;
  rateLimit?: ReportRateLimit | false;
  table?: { ttlMs?: number; maxEntries?: number; maxEntriesPerKey?: number };
  /**
   * Where the ceiling of a reported revision comes from (published-revision.ts); StreamCore passes
   * its watch hub. Without it, etcd's current revision read through `root`.
   */
  published?: Pick<PublishedRevisionSource, "known" | "fetch">;
  publisher?: Pick<PresencePublisherOptions, "processId" | "intervalMs" | "leaseTtlSeconds">;
  log?: HubLog;
}

const BEARER = { "www-authenticate": 'Bearer realm="mizuflow-sdk"' };

type Outcome = "ok" | "unauthenticated" | "forbidden" | "rate_limited" | "invalid" | "unavailable";

export class ClientReports {
  readonly table: PresenceTable;
  readonly publisher: PresencePublisher;
  private readonly published: PublishedRevision;
  private readonly verify: (key: string) => Promise<SdkKeyVerification>;
  private readonly perKey: TokenBuckets | null;
  private readonly failedAuth: FailedAuthLimit;
  private readonly transport: string;
  private readonly log: HubLog;
  private stopped = false;

  constructor(o: ClientReportsOptions) {
    this.verify = o.verify;
    this.transport = o.transport;
    this.log = o.log ?? (() => {});
    const rl = o.rateLimit === false ? { perKey: false as const, failedAuthPerAddress: false as const } : { ...DEFAULT_REPORT_RATE_LIMIT, ...o.rateLimit };
    this.perKey = rl.perKey ? new TokenBuckets(rl.perKey) : null;
    this.failedAuth = o.failedAuth ?? new FailedAuthLimit(rl.failedAuthPerAddress, o.standing ?? (() => "unverified"));
    this.table = new PresenceTable(o.table);
    this.publisher = new PresencePublisher({ root: o.root, table: this.table, transport: o.transport, log: this.log, ...o.publisher });
    this.publisher.start();
    this.published = new PublishedRevision(o.published ?? { known: () => 0, fetch: async () => Number((await o.root.get("flags/").exec()).header.revision) });
  }

  async handle(req: SdkRequest, readBody: BodyReader): Promise<HttpReply> {
    const [outcome, reply] = await this.process(req, readBody);
    metrics.sdkReports.inc({ transport: this.transport, outcome });
    return reply;
  }

  /** Stops publishing and withdraws this process's summary from etcd. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.publisher.stop();
  }

  private async process(req: SdkRequest, readBody: BodyReader): Promise<[Outcome, HttpReply]> {
    if (this.stopped) return ["unavailable", errorReply("unavailable", "The server is shutting down")];
    let gated: GatedVerification;
    try {
      gated = await this.failedAuth.verify(req.address, sdkKeyFrom(req), this.verify);
    } catch (err) {
      this.log("error", "SDK key verification failed", err);
      return ["unavailable", errorReply("unavailable", "Cannot verify SDK keys right now; retry shortly", { "retry-after": "1" })];
    }
    if (!gated.ok) return ["rate_limited", tooManyFailedAuths(gated.retryAfterMs)];
    const verdict = gated.verdict;
    if (!verdict) return ["unauthenticated", errorReply("unauthenticated", "An SDK key is required (Authorization: Bearer <key> or ?sdk_key=)", BEARER)];
    if (verdict.status === "unknown") return ["unauthenticated", errorReply("unauthenticated", "Unknown SDK key", BEARER)];
    if (verdict.status === "revoked") return ["forbidden", errorReply("forbidden", "This SDK key has been revoked")];
    if (verdict.status === "busy") return ["unavailable", keyLookupsBusy(verdict.retryAfterMs)];
    const { principal } = verdict;
    if (this.perKey) {
      const wait = this.perKey.take(String(principal.keyId));
      if (wait) return ["rate_limited", tooManyAttempts(wait, "SDK key")];
    }
    let body: ReportBody;
    try {
      body = parseInput(ReportBodySchema, await readJson(readBody));
    } catch (err) {
      if (err instanceof ServiceError) return ["invalid", serviceErrorReply(err)];
      throw err;
    }
    // The key is public in browsers, so a report is a claim: a revision above what the server has
    // published is recorded as the published one (published-revision.ts), never as ahead of it.
    this.table.record(principal.keyId, body.clientId, {
      environment: principal.environment,
      scope: scopeGroupKey(principal.namespaces),
      revision: await this.published.clamp(body.revision),
      state: body.state,
      lastSeen: Date.now(),
    });
    return ["ok", noContent()];
  }
}

/**
 * Any content type is accepted: a browser sends the report as text/plain so that it is a CORS
 * "simple" request (no preflight per report).
 */
async function readJson(readBody: BodyReader): Promise<unknown> {
  const bytes = await readBody(MAX_REPORT_BYTES);
  if (bytes.length > MAX_REPORT_BYTES) {
    throw new ServiceError("payload_too_large", `A report is at most ${MAX_REPORT_BYTES} bytes`, { details: { maxBytes: MAX_REPORT_BYTES } });
  }
  return parseJsonBytes(bytes, "The report");
}
