"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AuditEventView, ValueVersion } from "@/lib/audit/schemas";
import type { FlagView } from "@/lib/flags/schemas";
import { AuditEventList } from "../audit/audit-event-list";
import { fetchJson } from "../fetch-json";
import type { FlagPerms } from "./flag-detail";
import { RollbackPanel } from "./rollback-panel";

type Page = { events: AuditEventView[]; nextCursor: number | null };

const versionBefore = (e: AuditEventView) =>
  e.action === "flag_value.set" && e.environment && e.before && typeof e.before === "object" && "version" in e.before ? Number((e.before as { version: number }).version) : null;

/** The per-flag history tab: every change to this flag with its diff, and rollback to an earlier version. */
export function FlagHistory({ flag, perms }: { flag: FlagView; perms: FlagPerms }) {
  const qc = useQueryClient();
  const [target, setTarget] = useState<{ environment: string; version: number } | null>(null);
  const filters = { namespace: flag.namespace, flag: flag.key };
  const history = useInfiniteQuery({
    queryKey: ["audit", filters],
    initialPageParam: 0,
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/console/audit?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: String(pageParam) } : {}) })}`),
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  // Versions come a bounded page at a time (large values); older ones load on demand.
  const versions = useInfiniteQuery({
    queryKey: ["versions", flag.namespace, flag.key],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      fetchJson<{ versions: ValueVersion[]; nextCursor: number | null }>(
        `/api/console/flags/${flag.namespace}/${flag.key}/versions?${new URLSearchParams({ limit: "500", ...(pageParam ? { cursor: String(pageParam) } : {}) })}`,
      ),
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  const events = history.data?.pages.flatMap((p) => p.events) ?? [];
  const writable = Object.keys(flag.values).filter((env) => perms.writeEnv[env]);
  const onRolledBack = () => {
    void qc.invalidateQueries({ queryKey: ["audit"] });
    void qc.invalidateQueries({ queryKey: ["versions", flag.namespace, flag.key] });
    setTarget(null);
  };

  return (
    <div className="stack">
      {writable.length > 0 && !flag.archived && (
        <>
          <RollbackPanel
            flag={flag}
            environments={writable}
            versions={versions.data?.pages.flatMap((p) => p.versions) ?? []}
            loading={versions.isPending}
            older={versions.hasNextPage ? { load: () => void versions.fetchNextPage(), loading: versions.isFetchingNextPage, error: versions.isFetchNextPageError ? versions.error.message : null } : undefined}
            target={target}
            onTarget={setTarget}
            onDone={onRolledBack}
          />
        </>
      )}
      <section className="panel" aria-labelledby="hist-title">
        <h2 id="hist-title">History of {flag.namespace}/{flag.key}</h2>
        {history.isPending ? (
          <p className="loading" role="status">Loading history…</p>
        ) : history.isError ? (
          <p className="alert error" role="alert">{(history.error as Error).message}</p>
        ) : events.length === 0 ? (
          <p className="empty">No changes recorded.</p>
        ) : (
          <AuditEventList
            events={events}
            actions={(e) => {
              const v = versionBefore(e);
              if (v === null || v < 1 || !writable.includes(e.environment!) || flag.archived) return null;
              return (
                <div>
                  <button type="button" onClick={() => { setTarget({ environment: e.environment!, version: v }); window.scrollTo({ top: 0, behavior: "smooth" }); }}>
                    Roll back {e.environment} to before this change (version {v})
                  </button>
                </div>
              );
            }}
          />
        )}
        {history.hasNextPage && (
          <button type="button" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
            {history.isFetchingNextPage ? "Loading…" : "Load older changes"}
          </button>
        )}
      </section>
    </div>
  );
}
