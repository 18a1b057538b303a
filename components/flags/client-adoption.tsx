"use client";

import { useQuery } from "@tanstack/react-query";
import type { FlagAdoption } from "@/lib/delivery/flag-adoption";
import { fetchJson } from "../fetch-json";

/** Per environment, how many reporting SDK clients have the flag's current value (polled). */
export function useFlagAdoption(namespace: string, key: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ["flag-clients", namespace, key],
    queryFn: () =>
      fetchJson<{ environments: Record<string, FlagAdoption | null> }>(
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
