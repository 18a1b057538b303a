/**
 * Sign-in rate limit: failed attempts are counted per account (lower-cased e-mail) and per client
 * address in a sliding window. When either is over its limit, further attempts are refused before the
 * password is even checked, with a message saying when to try again. A successful sign-in clears the
 * account's failures (not the address's: one address guessing at many accounts stays limited).
 *
 * LoginRateLimiter keeps the state in memory (one process; tests and tools). The app uses
 * SharedLoginRateLimiter (shared-login-rate-limit.ts), the same limits kept in MySQL so that all
 * app replicas count together. The per-account limit is the main protection; the address is the
 * rightmost X-Forwarded-For hop (see clientAddress).
 */
export interface RateLimitOptions {
  windowMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Bound on tracked keys, so a flood of distinct e-mails or addresses cannot grow memory forever. */
  maxKeys: number;
  now: () => number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; scope: "account" | "address"; retryAfterMs: number; message: string };

/** What the credentials check needs of a limiter (in memory or shared). */
export interface LoginLimiter {
  check(account: string, address: string | null): RateLimitVerdict | Promise<RateLimitVerdict>;
  recordFailure(account: string, address: string | null): void | Promise<void>;
  recordSuccess(account: string): void | Promise<void>;
}

/** The refusal for a subject whose oldest failure in the window happened at `firstFailureAt`. */
export function refusal(opts: RateLimitOptions, scope: "account" | "address", firstFailureAt: number, what: string): RateLimitVerdict {
  const retryAfterMs = Math.max(0, firstFailureAt + opts.windowMs - opts.now());
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return { allowed: false, scope, retryAfterMs, message: `${what} Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` };
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 30,
  maxKeys: 50_000,
  now: () => Date.now(),
};

export class LoginRateLimiter implements LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly opts: RateLimitOptions;

  constructor(opts: Partial<RateLimitOptions> = {}) {
    this.opts = { ...DEFAULT_RATE_LIMIT, ...opts };
  }

  check(account: string, address: string | null): RateLimitVerdict {
    const acct = this.recent(`a:${account.toLowerCase()}`);
    if (acct.length >= this.opts.maxFailuresPerAccount) {
      return this.refuse("account", acct, "Too many failed sign-in attempts for this account.");
    }
    if (address) {
      const addr = this.recent(`i:${address}`);
      if (addr.length >= this.opts.maxFailuresPerAddress) {
        return this.refuse("address", addr, "Too many failed sign-in attempts from your network address.");
      }
    }
    return { allowed: true };
  }

  recordFailure(account: string, address: string | null): void {
    this.push(`a:${account.toLowerCase()}`);
    if (address) this.push(`i:${address}`);
  }

  recordSuccess(account: string): void {
    this.failures.delete(`a:${account.toLowerCase()}`);
  }

  private refuse(scope: "account" | "address", times: number[], what: string): RateLimitVerdict {
    return refusal(this.opts, scope, times[0]!, what);
  }

  private recent(key: string): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const cutoff = this.opts.now() - this.opts.windowMs;
    while (list.length && list[0]! <= cutoff) list.shift();
    if (!list.length) this.failures.delete(key);
    return list;
  }

  private push(key: string): void {
    const list = this.recent(key);
    list.push(this.opts.now());
    this.failures.delete(key); // re-insert so Map order is least-recently-failed first
    this.failures.set(key, list);
    while (this.failures.size > this.opts.maxKeys) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }
}


/**
 * The client address for rate limiting: the rightmost X-Forwarded-For entry, the one the nearest
 * proxy appended (entries further left are whatever the client sent). Without a proxy, Next.js fills
 * the header with the socket address only when the client sent none, so a client talking to the app
 * directly can vary it: the per-account limit does not depend on it.
 */
export function clientAddress(headers: { get(name: string): string | null } | Record<string, string | string[] | undefined>): string | null {
  const raw = typeof (headers as { get?: unknown }).get === "function"
    ? (headers as { get(name: string): string | null }).get("x-forwarded-for")
    : (headers as Record<string, string | string[] | undefined>)["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (!value) return null;
  const parts = value.split(",").map((s) => s.trim()).filter(Boolean);
  return parts[parts.length - 1]?.slice(0, 64) ?? null;
}
