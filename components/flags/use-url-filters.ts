"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

type Filters<K extends string> = Partial<Record<K, string>>;

/**
 * List filters kept in React state and mirrored to the URL (shareable; back and forward work).
 * State is the source of truth because updates to it compose: a debounced search firing just after
 * the user picked a Type starts from the state with that Type in it, whereas rebuilding from the URL
 * could start from an address the router has not committed yet and drop the Type.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const paramsKey = params.toString();
  const read = useCallback(
    (qs: string): Filters<K> => {
      const p = new URLSearchParams(qs);
      return Object.fromEntries(keys.map((k) => [k, p.get(k) ?? ""]).filter(([, v]) => v)) as Filters<K>;
    },
    [keys],
  );
  const [filters, setFilters] = useState<Filters<K>>(() => read(paramsKey));
  // Addresses this hook wrote: when the router reports them back they are not news.
  const written = useRef(new Set<string>());

  useEffect(() => {
    if (!written.current.has(paramsKey)) setFilters(read(paramsKey));
  }, [paramsKey, read]);

  useEffect(() => {
    const qs = new URLSearchParams(filters as Record<string, string>).toString();
    if (qs === paramsKey) return;
    written.current.add(qs);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    // paramsKey is read, not watched: only a change of the filters writes the URL.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters]);

  const setFilter = useCallback((k: K, v: string) => {
    setFilters((prev) => {
      const next = { ...prev };
      if (v) next[k] = v;
      else delete next[k];
      return next;
    });
  }, []);
  /** Several keys in one update (e.g. a filter and the page going back to 1); "" removes a key. */
  const setMany = useCallback((patch: Partial<Record<K, string>>) => {
    setFilters((prev) => {
      const next = { ...prev };
      for (const [k, v] of Object.entries(patch) as [K, string | undefined][]) {
        if (v) next[k] = v;
        else delete next[k];
      }
      return next;
    });
  }, []);
  return { filters, setFilter, setMany };
}
