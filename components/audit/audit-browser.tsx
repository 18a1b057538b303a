"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { AuditEventView } from "@/lib/audit/schemas";
import { fetchJson } from "../fetch-json";
import { AuditEventList } from "./audit-event-list";
import { AUDIT_FILTER_KEYS as KEYS, auditFiltersKey, type AuditFilters as Filters } from "./audit-filters";

type Page = { events: AuditEventView[]; nextCursor: number | null };

/** Audit history with filters in the URL, page-by-page loading, and CSV / JSON export of the same filter. */
export function AuditBrowser({ namespaces, environments, initial }: { namespaces: string[]; environments: string[]; initial?: { filters: Filters; page: Page } | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters: Filters = Object.fromEntries(KEYS.map((k) => [k, params.get(k) ?? ""]).filter(([, v]) => v));
  const query = useInfiniteQuery({
    queryKey: ["audit", filters],
    initialPageParam: 0,
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/console/audit?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: String(pageParam) } : {}) })}`),
    getNextPageParam: (p) => p.nextCursor ?? undefined,
    // The page server-rendered the first page of the address it was opened at.
    initialData: initial && auditFiltersKey(initial.filters) === auditFiltersKey(filters) ? { pages: [initial.page], pageParams: [0] } : undefined,
  });
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  const exportUrl = (format: "csv" | "json") => `/api/console/audit/export?${new URLSearchParams({ ...filters, format })}`;

  return (
    <>
      <form
        className="panel stack"
        role="search"
        aria-label="Filter the audit history"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          const next = new URLSearchParams();
          for (const k of KEYS) {
            const v = String(fd.get(k) ?? "").trim();
            if (v) next.set(k, v);
          }
          router.replace(`${pathname}?${next}`, { scroll: false });
        }}
      >
        <div className="form-grid" key={params.toString()}>
          <div className="field">
            <label htmlFor="a-ns">Namespace</label>
            <select id="a-ns" name="namespace" defaultValue={filters.namespace ?? ""}>
              <option value="">All</option>
              {namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="a-env">Environment</label>
            <select id="a-env" name="environment" defaultValue={filters.environment ?? ""}>
              <option value="">All</option>
              {environments.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="a-flag">Flag key</label>
            <input id="a-flag" name="flag" type="text" defaultValue={filters.flag ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="a-actor">Actor (starts with)</label>
            <input id="a-actor" name="actor" type="text" defaultValue={filters.actor ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="a-action">Action</label>
            <input id="a-action" name="action" type="text" placeholder="e.g. flag_value.set or flag." defaultValue={filters.action ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="a-from">From (UTC date)</label>
            <input id="a-from" name="from" type="date" defaultValue={filters.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="a-to">To (UTC date, inclusive)</label>
            <input id="a-to" name="to" type="date" defaultValue={filters.to ?? ""} />
          </div>
        </div>
        <div className="spread">
          <div className="row">
            <button type="submit" className="primary">Apply filters</button>
            <button type="button" onClick={() => router.replace(pathname)}>Clear</button>
          </div>
          <div className="row">
            <a className="button" href={exportUrl("csv")} download>Export CSV</a>
            <a className="button" href={exportUrl("json")} download>Export JSON</a>
          </div>
        </div>
      </form>
      {query.isPending ? (
        <p className="loading" role="status">Loading the audit history…</p>
      ) : query.isError ? (
        <p className="alert error" role="alert">{(query.error as Error).message}</p>
      ) : events.length === 0 ? (
        <p className="empty">No changes match these filters.</p>
      ) : (
        <AuditEventList events={events} />
      )}
      {query.hasNextPage && (
        <p>
          <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load older changes"}
          </button>
        </p>
      )}
    </>
  );
}
