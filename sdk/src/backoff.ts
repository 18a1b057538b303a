/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniformly random delay in [0, min(max, base * 2^attempt)]. After a server restart thousands of
 * SDKs lose their stream at the same instant; the randomness spreads their reconnects instead of
 * hitting the new process in lockstep. `base` is the server's `retry:` when it sent one.
 */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** For refusals (401/403): wait between half the cap and the cap, so a revoked key does not hammer. */
export function refusalDelay(maxMs: number, random: () => number = Math.random): number {
  return Math.floor(maxMs / 2 + random() * (maxMs / 2));
}

/**
 * When nothing answered (connection refused or reset, a stream cut without an HTTP status), the
 * server is restarting or gone, and a refused connection costs it nothing: the ceiling stops growing
 * after one doubling (2 x base). After a restart every SDK is then back within about 2 x base of the
 * server listening, still spread uniformly over that window, instead of up to `maxMs` later with
 * stale flags; the herd is spread over 2 x base, no tighter than the first retry after any dropped
 * stream (1 x base) already is. HTTP errors (a proxy's 502/503, a 5xx) keep the full growth.
 */
export const UNREACHABLE_MAX_DOUBLINGS = 1;

export function unreachableDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return fullJitterDelay(Math.min(attempt, UNREACHABLE_MAX_DOUBLINGS), baseMs, maxMs, random);
}
