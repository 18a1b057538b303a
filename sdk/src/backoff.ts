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
