"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import type { FlagView } from "@/lib/services/flags/schemas";
import { fetchJson } from "../fetch-json";
import { ValueBadge } from "./value-badge";

const FILTERS = ["search", "namespace", "type", "tag", "archived"] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/**
 * The flag list: filters live in the URL (shareable, back button works), data comes page by page from
 * the keyset-paginated list endpoint ("Load more"), so it stays fast with 10,000 flags.
 */
export function FlagsBrowser({ namespaces, environments }: { namespaces: string[]; environments: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters: Filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ""]).filter(([, v]) => v));
  const [search, setSearch] = useState(filters.search ?? "");

  const setFilter = (k: keyof Filters, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    router.replace(`${pathname}?${next}`, { scroll: false });
  };
  // Search as you type, without a request per keystroke.
  useEffect(() => {
    if (search === (filters.search ?? "")) return;
    const t = setTimeout(() => setFilter("search", search.trim()), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const query = useInfiniteQuery({
    queryKey: ["flags", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ ...filters, limit: "50" });
      if (pageParam) qs.set("cursor", pageParam);
      return fetchJson<{ flags: FlagView[]; nextCursor: string | null }>(`/api/console/flags?${qs}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const flags = query.data?.pages.flatMap((p) => p.flags) ?? [];
  const shownEnvs = environments.slice(0, 4);

  return (
    <>
      <form className="panel form-grid" role="search" aria-label="Filter flags" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-search">Search key or description</label>
          <input id="f-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={128} />
        </div>
        <div className="field">
          <label htmlFor="f-ns">Namespace</label>
          <select id="f-ns" value={filters.namespace ?? ""} onChange={(e) => setFilter("namespace", e.target.value)}>
            <option value="">All namespaces</option>
            {namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select id="f-type" value={filters.type ?? ""} onChange={(e) => setFilter("type", e.target.value)}>
            <option value="">Any type</option>
            {["boolean", "string", "number", "json"].map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-tag">Tag</label>
          <input id="f-tag" type="text" defaultValue={filters.tag ?? ""} onBlur={(e) => setFilter("tag", e.target.value.trim())} onKeyDown={(e) => { if (e.key === "Enter") setFilter("tag", e.currentTarget.value.trim()); }} />
        </div>
        <div className="field">
          <label htmlFor="f-arch">Archived</label>
          <select id="f-arch" value={filters.archived ?? ""} onChange={(e) => setFilter("archived", e.target.value)}>
            <option value="">Active and archived</option>
            <option value="false">Active only</option>
            <option value="true">Archived only</option>
          </select>
        </div>
      </form>

      {query.isPending ? (
        <p className="loading" role="status">Loading flags…</p>
      ) : query.isError ? (
        <p className="alert error" role="alert">{(query.error as Error).message}</p>
      ) : flags.length === 0 ? (
        <p className="empty">{Object.keys(filters).length ? "No flags match these filters." : "No flags yet. Create the first one."}</p>
      ) : (
        <div className="table-wrap">
          <table aria-describedby="flags-count">
            <caption id="flags-count" className="visually-hidden">Flags ({flags.length} shown)</caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Type</th>
                {shownEnvs.map((e) => <th key={e} scope="col">{e}</th>)}
                <th scope="col">Tags</th>
              </tr>
            </thead>
            <tbody>
              {flags.map((f) => (
                <tr key={`${f.namespace}/${f.key}`}>
                  <td>
                    <Link href={`/flags/${f.namespace}/${f.key}`}>
                      <span className="muted">{f.namespace}/</span>
                      <strong>{f.key}</strong>
                    </Link>
                    {f.archived && <> <span className="badge warn">archived</span></>}
                    {f.description && <div className="small muted">{f.description}</div>}
                  </td>
                  <td><code>{f.type}</code></td>
                  {shownEnvs.map((e) => (
                    <td key={e}>{f.values[e] ? <ValueBadge type={f.type} value={f.values[e]!.value} /> : <span className="muted">—</span>}</td>
                  ))}
                  <td>{f.tags.map((t) => <span key={t} className="badge" style={{ marginRight: 4 }}>{t}</span>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.hasNextPage && (
        <p>
          <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </>
  );
}
