import type { Db } from "../db/client";
import { keysHeld, MAX_KEYS_PER_SCOPE } from "./keys";

/** How long one count of a caller's keys stands in for a new one (while below the cap). */
export const KEY_COUNT_REUSE_MS = 2_000;

/** Per caller: the last count, plus the keys this process started since. */
const counts = new Map<string, { held: number; at: number }>();
const MAX_CALLERS = 10_000;

/**
 * True when `scope` already holds the most keys a caller may (keys.ts MAX_KEYS_PER_SCOPE).
 * Counting is an index range scan of up to the cap's rows, so a caller below the cap is counted at
 * most every KEY_COUNT_REUSE_MS per process, adding the keys this process started since: without
 * it a busy automation token paid a scan of thousands of rows on every keyed write
 * (bench:writes --keyed). The cap is a bound on the table, not an exact quota: it may be passed by
 * what other processes add within those 2 s.
 */
export async function atKeyCap(db: Db, scope: string, now = performance.now()): Promise<boolean> {
  const known = counts.get(scope);
  if (known && now - known.at < KEY_COUNT_REUSE_MS && known.held + 1 < MAX_KEYS_PER_SCOPE) {
    known.held++;
    return false;
  }
  const held = await keysHeld(db, scope);
  counts.delete(scope);
  if (counts.size >= MAX_CALLERS) counts.delete(counts.keys().next().value!);
  counts.set(scope, { held: held + 1, at: now });
  return held >= MAX_KEYS_PER_SCOPE;
}
