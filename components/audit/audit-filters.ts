/** The audit history's address filters, shared by the server page (first page) and AuditBrowser. */
export const AUDIT_FILTER_KEYS = ["namespace", "environment", "flag", "actor", "action", "from", "to"] as const;
export type AuditFilters = Partial<Record<(typeof AUDIT_FILTER_KEYS)[number], string>>;

export function auditFiltersOf(searchParams: Record<string, string | string[] | undefined>): AuditFilters {
  const out: AuditFilters = {};
  for (const k of AUDIT_FILTER_KEYS) {
    const v = searchParams[k];
    const one = Array.isArray(v) ? v[0] : v;
    if (one) out[k] = one;
  }
  return out;
}

/** Same filters, same string (key order fixed), for matching a server-rendered page to a query. */
export const auditFiltersKey = (f: AuditFilters) => JSON.stringify(AUDIT_FILTER_KEYS.map((k) => f[k] ?? ""));
