"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { FlagListPage } from "@/lib/console/flag-list-page";
import { DataTable, type ServerRows } from "../data-table";
import { fetchJson } from "../fetch-json";
import { flagColumns } from "./flag-columns";
import { flagListQuery, LIST_KEYS } from "./flag-list-query";
import { useUrlFilters } from "./use-url-filters";

const FILTERS = ["search", "namespace", "type", "tag", "archived"] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** Table column id <-> the list read's `sort` parameter. */
const SORT_OF: Record<string, string> = { flag: "flag", type: "type", updatedAt: "changed", lastSeen: "seen" };
const COLUMN_OF: Record<string, string> = { flag: "flag", type: "type", changed: "updatedAt", seen: "lastSeen" };

/**
 * The flag list: filters, sort, page and page size live in the URL (shareable, back button works);
 * the server sorts, counts and pages over every matching flag (lib/console/flag-list-page.ts), so
 * the header's count is the total and the last page is really the last. The page server-renders the
 * address's first view (`initial`); later views are fetched, the previous rows staying until then.
 */
export function FlagsBrowser({ namespaces, environments, writable, initial, initialQuery }: {
  namespaces: string[];
  environments: string[];
  writable: Record<string, string[]>;
  initial: FlagListPage | null;
  /** flagListQuery of the address `initial` was rendered for. */
  initialQuery: string;
}) {
  const { filters: params, setMany } = useUrlFilters(LIST_KEYS);
  const [search, setSearch] = useState(params.search ?? "");
  const [tag, setTag] = useState(params.tag ?? "");
  // A filter change starts again at page 1.
  const setFilter = (k: keyof Filters, v: string) => setMany({ [k]: v, page: "" });

  // Search and tag apply as you type, without a request per keystroke.
  useDebouncedFilter("search", search, params.search ?? "", setFilter);
  useDebouncedFilter("tag", tag, params.tag ?? "", setFilter);

  const qs = flagListQuery(params);
  const query = useQuery({
    queryKey: ["flags", qs],
    queryFn: () => fetchJson<FlagListPage>(`/api/console/flags?${qs}`),
    initialData: qs === initialQuery && initial ? initial : undefined,
    placeholderData: keepPreviousData,
  });
  const list = query.data;
  const lastSeen = list?.lastSeen;
  const columns = useMemo(() => flagColumns(environments.slice(0, 4), (ns, env) => Boolean(writable[ns]?.includes(env)), lastSeen), [environments, writable, lastSeen]);
  // Sort and page show what the address asks for at once; the rows follow when they arrive.
  const size = Number(params.size) || list?.size || 25;
  const server: ServerRows | undefined = list && {
    sorting: params.sort && COLUMN_OF[params.sort] ? [{ id: COLUMN_OF[params.sort]!, desc: params.dir === "desc" }] : [],
    // The server clamps a page past the end: once its answer is here, its page number counts.
    pagination: { pageIndex: query.isPlaceholderData ? Math.max(0, (Number(params.page) || 1) - 1) : list.page - 1, pageSize: size },
    rowCount: list.total,
    onSortingChange: (next) => {
      const s = next[0];
      setMany({ sort: s ? SORT_OF[s.id] ?? "" : "", dir: s?.desc ? "desc" : "", page: "" });
    },
    onPaginationChange: (next) => setMany({ page: next.pageIndex > 0 ? String(next.pageIndex + 1) : "", size: next.pageSize === 25 ? "" : String(next.pageSize) }),
  };
  const filtered = FILTERS.some((k) => params[k]);

  return (
    <>
      <form className="panel form-grid" role="search" aria-label="Filter flags" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-search">Search key or description</label>
          <input id="f-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={128} />
        </div>
        <div className="field">
          <label htmlFor="f-ns">Namespace</label>
          <select id="f-ns" value={params.namespace ?? ""} onChange={(e) => setFilter("namespace", e.target.value)}>
            <option value="">All namespaces</option>
            {namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select id="f-type" value={params.type ?? ""} onChange={(e) => setFilter("type", e.target.value)}>
            <option value="">Any type</option>
            {["boolean", "string", "number", "json"].map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-tag">Tag</label>
          <input id="f-tag" type="text" value={tag} maxLength={64} onChange={(e) => setTag(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="f-arch">Archived</label>
          <select id="f-arch" value={params.archived ?? ""} onChange={(e) => setFilter("archived", e.target.value)}>
            <option value="">Active only</option>
            <option value="all">Active and archived</option>
            <option value="true">Archived only</option>
          </select>
        </div>
      </form>

      {!list && query.isPending ? (
        <p className="loading" role="status">Loading flags…</p>
      ) : !list ? (
        <p className="alert error" role="alert">{(query.error as Error | null)?.message ?? "The flags could not be loaded."}</p>
      ) : list.total === 0 ? (
        <p className="empty">{filtered ? "No flags match these filters." : "No flags yet. Create the first one."}</p>
      ) : (
        <>
          {query.isError && <p className="alert error" role="alert">{(query.error as Error).message}</p>}
          <DataTable
            data={list.flags}
            columns={columns}
            rowId={(f) => `${f.namespace}/${f.key}`}
            caption={<span data-testid="flags-count">{list.total} flag{list.total === 1 ? "" : "s"}</span>}
            server={server}
            busy={query.isFetching}
          />
        </>
      )}
    </>
  );
}

function useDebouncedFilter(name: keyof Filters, typed: string, applied: string, setFilter: (k: keyof Filters, v: string) => void) {
  useEffect(() => {
    if (typed.trim() === applied) return;
    const t = setTimeout(() => setFilter(name, typed.trim()), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);
}
