"use client";

import {
  createPaginatedRowModel,
  createSortedRowModel,
  rowPaginationFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  sortFn_datetime,
  sortFn_text,
  tableFeatures,
  useTable,
  type ColumnDef,
  type PaginationState,
  type RowData,
  type SortingState,
} from "@tanstack/react-table";
import type { ReactNode } from "react";

/**
 * The console's table: sortable column headers (click or Enter/Space on the header button; the
 * header carries aria-sort) and visible paging with a page size, built on TanStack Table (headless:
 * it keeps the sort and page state, this file the markup and accessibility). Lists (flags now,
 * targeting rules later) use it with their own columns.
 */
export const tableFeatureSet = tableFeatures({
  rowSortingFeature,
  rowPaginationFeature,
  sortedRowModel: createSortedRowModel(),
  paginatedRowModel: createPaginatedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, datetime: sortFn_datetime, basic: sortFn_basic },
});
export type TableFeatureSet = typeof tableFeatureSet;

const PAGE_SIZES = [25, 50, 100];

/**
 * Server-side sorting and paging: `data` is already the sorted page; the table only shows the state
 * (aria-sort, "Page X of Y") and reports the user's changes, which the caller turns into a request.
 */
export interface ServerRows {
  sorting: SortingState;
  pagination: PaginationState;
  rowCount: number;
  onSortingChange(next: SortingState): void;
  onPaginationChange(next: PaginationState): void;
}

export function DataTable<T extends RowData>({ data, columns, caption, rowId, footer, server, busy }: {
  data: T[];
  columns: ColumnDef<TableFeatureSet, T, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  caption: ReactNode;
  rowId: (row: T) => string;
  /** Below the pager, e.g. "Load more" when the server has further rows. */
  footer?: ReactNode;
  server?: ServerRows;
  /** Rows for a new sort or page are on their way (aria-busy on the table). */
  busy?: boolean;
}) {
  const table = useTable({
    features: tableFeatureSet,
    columns,
    data,
    getRowId: (row) => rowId(row),
    initialState: { pagination: { pageIndex: 0, pageSize: 25 } },
    autoResetPageIndex: false,
    ...(server && {
      manualSorting: true,
      manualPagination: true,
      rowCount: server.rowCount,
      state: { sorting: server.sorting, pagination: server.pagination },
      onSortingChange: (u) => server.onSortingChange(typeof u === "function" ? u(server.sorting) : u),
      onPaginationChange: (u) => server.onPaginationChange(typeof u === "function" ? u(server.pagination) : u),
    }),
  });
  const { pageIndex, pageSize } = table.state.pagination;
  const pages = Math.max(1, table.getPageCount());
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      <div className="table-wrap">
        <table aria-busy={busy || undefined}>
          <caption className="table-caption">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th key={header.id} scope="col" aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                          <table.FlexRender header={header} />
                          <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : " ↕"}</span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager row" aria-label="Pages">
        <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>Previous</button>
        <span data-testid="page-of">Page {pageIndex + 1} of {pages}</span>
        <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>Next</button>
        <label className="row" style={{ fontWeight: 400, margin: 0 }}>
          Rows per page
          <select value={pageSize} onChange={(e) => table.setPageSize(Number(e.target.value))} style={{ width: "auto" }}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        {footer}
      </nav>
    </div>
  );
}
