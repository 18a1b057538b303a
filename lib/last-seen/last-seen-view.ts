/**
 * "Last seen" as the console shows it; free of server imports, so components may use it.
 * read-last-seen.ts computes the figures.
 */
export interface LastSeen {
  /** ISO time; null: never seen. */
  at: string | null;
  /** Held by a client reporting now. */
  live: boolean;
}

/** "namespace/key" -> environment -> sighting (environments where the flag is not served are absent). */
export type LastSeenByFlag = Record<string, Record<string, LastSeen>>;

/** The most recent sighting over environments (null when no environment serves the flag). */
export function latestSighting(byEnv: Record<string, LastSeen> | undefined): LastSeen | null {
  const all = Object.values(byEnv ?? {});
  if (!all.length) return null;
  const live = all.find((s) => s.live);
  if (live) return live;
  const times = all.map((s) => s.at).filter((t): t is string => t !== null).sort();
  return { at: times[times.length - 1] ?? null, live: false };
}

/** "now", "never" or the UTC minute (the list's and the flag page's wording). */
export function describeLastSeen(s: LastSeen): string {
  if (s.live) return "now";
  if (!s.at) return "never";
  return `${s.at.slice(0, 16).replace("T", " ")} UTC`;
}
