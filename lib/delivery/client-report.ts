import type { Namespace } from "etcd3";
import { z } from "zod";
import { ServiceError } from "../errors/service-error";
import { parseJsonBytes } from "../http/read-json-body";
import { metrics } from "../observability/metrics";
import type { SdkKeyVerification } from "../services/sdk-keys/verify-sdk-key";
import { parseInput } from "../validation/parse";
import { CLIENT_STATES, PresenceTable, scopeGroupKey } from "./client-presence";
import { errorReply, keyLookupsBusy, noContent, serviceErrorReply, tooManyAttempts, type HttpReply } from "./http-shape";
import type { HubLog } from "./hub-types";
import { PresencePublisher, type PresencePublisherOptions } from "./presence-publisher";
import { TokenBuckets, type BucketSpec } from "./rate-limit";
import { sdkKeyFrom, type SdkRequest } from "./request-credentials";

/**
 * POST /api/sdk/v1/report: an SDK says which revision it has applied, so the console can show
 * "N of M clients at revision >= R". Shared by the Next.js route handler and the sidecar stream
 * server (report-transport.ts adapts both).
 *
 * Order: rate limit per client address (429; before the key, so a flood of made-up keys cannot
 * become a flood of MySQL lookups), SDK key (401 unknown / 403 revoked, the same verification and
 * cache as the stream), rate limit per key and client address (429), body (413 over 4 KiB, 400 not
 * JSON, 422 invalid), then the presence table and 204. Nothing is recorded unless every step passed. Fields the schema does
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
  /** Reports per SDK key and client address; false disables. */
  perKeyAndAddress?: BucketSpec | false;
  /** Reports per client address, checked before the key; false disables. */
  perAddress?: BucketSpec | false;
}

/**
 * A report every 5 s per client plus heartbeats: 50/s per key and address leaves room for a few
 * hundred clients behind one NAT address (twice that across keys); a refused report is simply
 * dropped by the SDK.
 */
export const DEFAULT_REPORT_RATE_LIMIT: Required<ReportRateLimit> = {
  perKeyAndAddress: { burst: 200, perSecond: 50 },
  perAddress: { burst: 400, perSecond: 100 },
};

export interface ClientReportsOptions {
  root: Namespace;
  verify: (key: string) => Promise<SdkKeyVerification>;
  /** Metric label: "sidecar" or "next". */
  transport: string;
  rateLimit?: ReportRateLimit | false;
  table?: { ttlMs?: number; maxEntries?: number };
  publisher?: Pick<PresencePublisherOptions, "processId" | "intervalMs" | "leaseTtlSeconds">;
  log?: HubLog;
}

const BEARER = { "www-authenticate": 'Bearer realm="mizuflow-sdk"' };

type Outcome = "ok" | "unauthenticated" | "forbidden" | "rate_limited" | "invalid" | "unavailable";

export class ClientReports {
  readonly table: PresenceTable;
  readonly publisher: PresencePublisher;
  private readonly verify: (key: string) => Promise<SdkKeyVerification>;
  private readonly perKey: TokenBuckets | null;
  private readonly perAddress: TokenBuckets | null;
  private readonly transport: string;
  private readonly log: HubLog;
  private stopped = false;

  constructor(o: ClientReportsOptions) {
    this.verify = o.verify;
    this.transport = o.transport;
    this.log = o.log ?? (() => {});
    const rl = o.rateLimit === false ? { perKeyAndAddress: false as const, perAddress: false as const } : { ...DEFAULT_REPORT_RATE_LIMIT, ...o.rateLimit };
    this.perKey = rl.perKeyAndAddress ? new TokenBuckets(rl.perKeyAndAddress) : null;
    this.perAddress = rl.perAddress ? new TokenBuckets(rl.perAddress) : null;
    this.table = new PresenceTable(o.table);
    this.publisher = new PresencePublisher({ root: o.root, table: this.table, transport: o.transport, log: this.log, ...o.publisher });
    this.publisher.start();
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
    if (req.address && this.perAddress) {
      const wait = this.perAddress.take(req.address);
      if (wait) return ["rate_limited", tooManyAttempts(wait, "address")];
    }
    const key = sdkKeyFrom(req);
    if (!key) return ["unauthenticated", errorReply("unauthenticated", "An SDK key is required (Authorization: Bearer <key> or ?sdk_key=)", BEARER)];
    let verdict: SdkKeyVerification;
    try {
      verdict = await this.verify(key);
    } catch (err) {
      this.log("error", "SDK key verification failed", err);
      return ["unavailable", errorReply("unavailable", "Cannot verify SDK keys right now; retry shortly", { "retry-after": "1" })];
    }
    if (verdict.status === "unknown") return ["unauthenticated", errorReply("unauthenticated", "Unknown SDK key", BEARER)];
    if (verdict.status === "revoked") return ["forbidden", errorReply("forbidden", "This SDK key has been revoked")];
    if (verdict.status === "busy") return ["unavailable", keyLookupsBusy(verdict.retryAfterMs)];
    const { principal } = verdict;
    if (this.perKey) {
      const wait = this.perKey.take(`${principal.keyId}|${req.address ?? "-"}`);
      if (wait) return ["rate_limited", tooManyAttempts(wait, "SDK key and address")];
    }
    let body: ReportBody;
    try {
      body = parseInput(ReportBodySchema, await readJson(readBody));
    } catch (err) {
      if (err instanceof ServiceError) return ["invalid", serviceErrorReply(err)];
      throw err;
    }
    this.table.record(principal.keyId, body.clientId, {
      environment: principal.environment,
      scope: scopeGroupKey(principal.namespaces),
      revision: body.revision,
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
