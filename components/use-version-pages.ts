"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { VersionPage } from "@/lib/audit/audited-versions";
import { fetchJson } from "./fetch-json";

/** What a rollback needs to offer versions older than the first page (VersionRollback's `older`). */
export interface OlderVersions {
  load: () => void;
  loading: boolean;
  error: string | null;
}

/**
 * A rollback's choices: the page the server rendered first, then older pages from the admin API's
 * versions endpoint (`url`; the console session authenticates it), loaded on demand. `key` names the
 * thing and its current version: after a save the server renders a new first page, and a new key
 * starts from it instead of keeping pages loaded against the old one.
 */
export function useVersionPages<V>(key: readonly unknown[], first: VersionPage<V>, url: string): { versions: V[]; older: OlderVersions | undefined } {
  const q = useInfiniteQuery({
    queryKey: ["rollback-versions", ...key],
    initialPageParam: 0,
    initialData: { pages: [first], pageParams: [0] },
    staleTime: Infinity,
    queryFn: ({ pageParam }) => fetchJson<VersionPage<V>>(`${url}?${new URLSearchParams({ limit: "100", ...(pageParam ? { cursor: String(pageParam) } : {}) })}`),
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  const versions = q.data.pages.flatMap((p) => p.versions);
  if (!q.hasNextPage) return { versions, older: undefined };
  return {
    versions,
    older: { load: () => void q.fetchNextPage(), loading: q.isFetchingNextPage, error: q.isFetchNextPageError ? (q.error as Error).message : null },
  };
}
