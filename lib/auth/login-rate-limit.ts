/**
 * Sign-in rate limit: failed attempts are counted per account (lower-cased e-mail) and per client
 * address in a sliding window. When either is over its limit, further attempts are refused before the
 * password is even checked, with a message saying when to try again. A successful sign-in clears the
 * account's failures (not the address's: one address guessing at many accounts stays limited).
 *
 * The app uses SharedLoginRateLimiter (shared-login-rate-limit.ts): the limits are kept in MySQL so
 * that all app replicas count together. The per-account limit is the main protection; the address is the
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
