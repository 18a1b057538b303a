import type { SdkKeyStanding, SdkKeyVerification } from "../../sdk-keys/verify-sdk-key";
import { TokenBuckets, type BucketSpec } from "./rate-limit";

/**
 * Failed SDK authentications (no key, a malformed, unknown or revoked key) per client address.
 *
 * A whole fleet often reaches the server from one address (load balancer, ingress, NAT gateway),
 * so connections with a valid key are never counted here; only what is actually abuse is. Before
 * a key that is not known valid is checked, the attempt holds one of the address's tokens, so a
 * flood of made-up keys from one address (however concurrent) reaches MySQL at most burst + refill
 * times; the token is given back when the key turns out valid. Keys known valid (verified here
 * recently) skip the check entirely, and so do requests that join a lookup already in flight (they
 * cost MySQL nothing): after a stream-server restart, thousands of clients with the same key share
 * the one lookup instead of queueing behind the address's budget.
 */
export const DEFAULT_FAILED_AUTH_PER_ADDRESS: BucketSpec = { burst: 50, perSecond: 5 };

export type GatedVerification = { ok: true; verdict: SdkKeyVerification | null } | { ok: false; retryAfterMs: number };

export class FailedAuthLimit {
  private readonly buckets: TokenBuckets | null;

  constructor(
    spec: BucketSpec | false,
    /** What the process knows about a key without a lookup (verify-sdk-key.ts). */
    private readonly standing: (key: string) => SdkKeyStanding,
  ) {
    this.buckets = spec ? new TokenBuckets(spec) : null;
  }

  /**
   * Verifies `key` (null: none was sent, which counts as a failure) for a request from `address`,
   * or refuses with the time until the address may try again. A null verdict means no key.
   */
  async verify(address: string | null, key: string | null, verify: (key: string) => Promise<SdkKeyVerification>): Promise<GatedVerification> {
    const buckets = address === null ? null : this.buckets;
    const id = address ?? "";
    const known = key === null ? "unverified" : this.standing(key);
    let held = false;
    if (buckets && known === "unverified") {
      const wait = buckets.take(id);
      if (wait) return { ok: false, retryAfterMs: wait };
      held = true;
    }
    if (key === null) return { ok: true, verdict: null };
    let verdict: SdkKeyVerification;
    try {
      verdict = await verify(key);
    } catch (err) {
      if (held) buckets!.refund(id);
      throw err;
    }
    const failed = verdict.status === "unknown" || verdict.status === "revoked";
    if (held && !failed) buckets!.refund(id);
    // A key that was valid or being looked up a moment ago failed after all: it counts.
    else if (!held && failed && buckets) buckets.take(id);
    return { ok: true, verdict };
  }
}
