import type { Db } from "../db/client";
import { FailedAuthLimit, type GatedVerification } from "../delivery/stream/failed-auth-limit";
import { TokenBuckets, type BucketSpec } from "../delivery/stream/rate-limit";
import type { SdkRequest } from "../delivery/stream/request-credentials";
import { sdkKeyStanding, verifySdkKey, type SdkKeyVerification, type SdkPrincipal } from "../sdk-keys/verify-sdk-key";
import type { WatchHub } from "../delivery/hub/watch-hub";

/**
 * Who may call OFREP, in one place, built from the SDK stream's admission pieces: the same key
 * verification (cache, unknown-key lookup budget), the same failed-authentication limit per client
 * address (delivery/stream/failed-auth-limit.ts: only failed key checks count, a key not known valid holds
 * one of the address's tokens while it is looked up, valid keys are never limited by address),
 * token buckets per key, hub readiness. Evaluations are requests, not connections: their per-key
 * bucket is far larger than the stream's connection-attempt bucket.
 */
export interface OfrepRateLimit {
  perKey?: BucketSpec | false;
  /** Failed key checks per client address (failed-auth-limit.ts). */
  perAddress?: BucketSpec | false;
}

export const DEFAULT_OFREP_RATE_LIMIT = {
  perKey: { burst: 20_000, perSecond: 10_000 },
  perAddress: { burst: 60, perSecond: 20 },
} satisfies Required<OfrepRateLimit>;

export type OfrepDenial = { status: 401 | 403 | 429 | 503; message: string; retryAfterS?: number };
export type OfrepAdmission = { ok: true; principal: SdkPrincipal } | ({ ok: false } & OfrepDenial);

/** `Authorization: Bearer`, `X-API-Key`, or (the event stream only: EventSource sets no headers) `?sdk_key=`. */
export function ofrepKeyFrom(req: SdkRequest, allowQuery: boolean): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.header("authorization") ?? "");
  if (m) return m[1]!;
  const apiKey = req.header("x-api-key")?.trim();
  if (apiKey) return apiKey;
  return allowQuery ? (req.query.get("sdk_key")?.trim() || null) : null;
}

export class OfrepAdmitter {
  private readonly perKey: TokenBuckets | null;
  private readonly failedAuth: FailedAuthLimit;
  private readonly verify: (key: string) => Promise<SdkKeyVerification>;

  constructor(
    db: Db,
    private readonly hub: WatchHub,
    rateLimit: OfrepRateLimit | false = {},
    private readonly readyTimeoutMs = 5_000,
  ) {
    const rl = rateLimit === false ? { perKey: false as const, perAddress: false as const } : { ...DEFAULT_OFREP_RATE_LIMIT, ...rateLimit };
    this.perKey = rl.perKey ? new TokenBuckets(rl.perKey) : null;
    this.failedAuth = new FailedAuthLimit(rl.perAddress, (key) => sdkKeyStanding(db, key));
    this.verify = (key) => verifySdkKey(db, key);
  }

  async admit(req: SdkRequest, allowQueryKey: boolean): Promise<OfrepAdmission> {
    let gated: GatedVerification;
    try {
      gated = await this.failedAuth.verify(req.address, ofrepKeyFrom(req, allowQueryKey), this.verify);
    } catch {
      return { ok: false, status: 503, message: "Cannot verify SDK keys right now; retry shortly", retryAfterS: 1 };
    }
    if (!gated.ok) return { ok: false, status: 429, message: "Too many failed attempts from this address; retry later", retryAfterS: seconds(gated.retryAfterMs) };
    const verdict = gated.verdict;
    if (!verdict) return { ok: false, status: 401, message: "An SDK key is required (Authorization: Bearer <key> or X-API-Key)" };
    if (verdict.status === "unknown") return { ok: false, status: 401, message: "Unknown SDK key" };
    if (verdict.status === "revoked") return { ok: false, status: 403, message: "This SDK key has been revoked" };
    if (verdict.status === "busy") return { ok: false, status: 429, message: "Too many unknown SDK keys are being tried right now; retry shortly", retryAfterS: seconds(verdict.retryAfterMs) };
    const wait = this.perKey?.take(String(verdict.principal.keyId)) ?? 0;
    if (wait) return { ok: false, status: 429, message: "Too many evaluations for this SDK key; retry later", retryAfterS: seconds(wait) };
    if (!this.hub.ready && !(await this.hub.whenReady(this.readyTimeoutMs))) return { ok: false, status: 503, message: "Flag delivery is starting; retry shortly", retryAfterS: 1 };
    return { ok: true, principal: verdict.principal };
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
