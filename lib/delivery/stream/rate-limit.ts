/**
 * Token buckets for connection attempts, one per id (SDK key id or client address). A bucket
 * holds up to `burst` tokens and refills at `perSecond`; an attempt takes one token or is refused
 * with the time until the next token. Full buckets are dropped in a sweep, so memory tracks only
 * recently active ids (and is capped).
 */
export interface BucketSpec {
  burst: number;
  perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const SWEEP_EVERY_MS = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly spec: BucketSpec,
    private readonly maxIds = 100_000,
  ) {
    if (!(spec.burst >= 1) || !(spec.perSecond > 0)) throw new Error(`invalid token bucket ${JSON.stringify(spec)}`);
  }

  /** 0 if the attempt may proceed, else milliseconds until it would. */
  take(id: string, now = Date.now()): number {
    if (now - this.lastSweep > SWEEP_EVERY_MS || this.buckets.size >= this.maxIds) this.sweep(now);
    const b = this.buckets.get(id);
    const tokens = b ? Math.min(this.spec.burst, b.tokens + ((now - b.at) / 1000) * this.spec.perSecond) : this.spec.burst;
    if (tokens < 1) {
      if (b) {
        b.tokens = tokens;
        b.at = now;
      }
      return Math.ceil(((1 - tokens) / this.spec.perSecond) * 1000);
    }
    if (b) {
      b.tokens = tokens - 1;
      b.at = now;
    } else {
      this.buckets.set(id, { tokens: tokens - 1, at: now });
    }
    return 0;
  }

  /** Gives back a token taken by `take` (an attempt that turned out not to count), up to the burst. */
  refund(id: string): void {
    const b = this.buckets.get(id);
    if (b) b.tokens = Math.min(this.spec.burst, b.tokens + 1);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [id, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.spec.perSecond >= this.spec.burst) this.buckets.delete(id);
    }
    // Still over the cap (an address flood): forget the oldest; they start again with a full burst.
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < this.maxIds) break;
      this.buckets.delete(id);
    }
  }
}
