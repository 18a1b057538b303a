/**
 * The flag list's address parameters (filters, sort, page, page size), shared by the server page,
 * which renders the address's first view, and the browser component, which fetches later ones.
 */
export const LIST_KEYS = ["search", "namespace", "type", "tag", "archived", "sort", "dir", "page", "size"] as const;
export type ListParams = Partial<Record<(typeof LIST_KEYS)[number], string>>;

/** The query string of a list request: the address's parameters, in a stable order. */
export function flagListQuery(params: ListParams): string {
  return new URLSearchParams(LIST_KEYS.filter((k) => params[k]).map((k) => [k, params[k]!])).toString();
}

/** The list parameters of a page's searchParams (a repeated parameter keeps its first value). */
export function listParamsOf(searchParams: Record<string, string | string[] | undefined>): ListParams {
  const out: ListParams = {};
  for (const k of LIST_KEYS) {
    const v = searchParams[k];
    const one = Array.isArray(v) ? v[0] : v;
    if (one) out[k] = one;
  }
  return out;
}
