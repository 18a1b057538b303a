"use client";

import { useQuery } from "@tanstack/react-query";
import type { FlagAdoption } from "@/lib/delivery/presence/flag-adoption";
import { describeLastSeen, type LastSeen } from "@/lib/last-seen/last-seen-view";
import { fetchJson } from "../fetch-json";

/** Per environment, how many reporting SDK clients have the flag's current value (polled). */
export function useFlagAdoption(namespace: string, key: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ["flag-clients", namespace, key],
    queryFn: () =>
      fetchJson<{ environments: Record<string, FlagAdoption | null>; lastSeen: Record<string, LastSeen> }>(
        `/api/console/flags/${encodeURIComponent(namespace)}/${encodeURIComponent(key)}/clients`,
      ),
    refetchInterval: 3_000,
  });
}

/** "N of M clients have this change": M reads this namespace here, N applied revision R or later. */
export function AdoptionLine({ adoption }: { adoption: FlagAdoption | null | undefined }) {
  if (!adoption) return null; // loading, unavailable, or not in etcd (archived / not yet published)
  if (adoption.clients === 0) {
    return <p className="small muted" data-testid="adoption">No SDK client reading this namespace here has reported in the last 90 s.</p>;
  }
  const all = adoption.withChange === adoption.clients;
  return (
    <p className="small" data-testid="adoption" title={`Clients at etcd revision ${adoption.revision} or later`}>
      <span className={`badge ${all ? "on" : "warn"}`}>{adoption.withChange} of {adoption.clients}</span> clients have this change
    </p>
  );
}

/** When an SDK client last held this flag here: now, a time, or never (absent while loading or not served). */
export function LastSeenLine({ seen }: { seen: LastSeen | undefined }) {
  if (!seen) return null;
  return (
    <p className="small muted" data-testid="last-seen">
      Last seen by an SDK: {seen.at && !seen.live ? <time dateTime={seen.at}>{describeLastSeen(seen)}</time> : describeLastSeen(seen)}
    </p>
  );
}
