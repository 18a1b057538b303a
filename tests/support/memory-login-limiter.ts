import { DEFAULT_RATE_LIMIT, refusal, type LoginLimiter, type RateLimitOptions, type RateLimitVerdict } from "../../lib/auth/login-rate-limit";

/**
 * The sign-in limits of lib/auth/login-rate-limit.ts kept in memory, for tests that need a limiter
 * without MySQL state (the app always uses SharedLoginRateLimiter).
 */
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
