import { z } from "zod";
import { AuditEventViewSchema, AuditFilterSchema, RollbackFlagValueSchema, ValueVersionSchema } from "./schemas";
import { FlagViewSchema } from "../flags/schemas";
import { queryInt } from "../http/query";
import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { downloadResponse } from "../http/download-response";
import { exportAuditEvents } from "./export-audit";
import { getFlagHistory, listAuditEvents } from "./list-audit";
import { rollbackFlagValue } from "../values/rollback-flag-value";
import { listFlagValueVersions } from "../values/value-versions";

const tag = "audit";
const flagPath = "/api/v1/flags/[namespace]/[key]";

/** The audit list verb's input, as query-string text. */
export const AuditListQuerySchema = AuditFilterSchema.extend({
  cursor: queryInt(1, Number.MAX_SAFE_INTEGER).optional().describe("nextCursor of the previous page"),
  limit: queryInt(1, 500).optional().describe("Page size (default 50)"),
});

export const AuditExportQuerySchema = AuditFilterSchema.extend({
  format: z.enum(["csv", "json"], { error: "must be csv or json" }).optional().describe("csv (default) or json"),
  limit: queryInt(1, 100_000).optional().describe("Most events to export, newest first (default 50000)"),
});

/** A page of a flag's history or value versions, as query-string text. */
const pageQuery = (limitDefault: number, what: string) => ({
  cursor: queryInt(1, Number.MAX_SAFE_INTEGER).optional().describe("nextCursor of the previous page"),
  limit: queryInt(1, 500).optional().describe(`Most ${what} in the page (default ${limitDefault})`),
});

export const FlagHistoryQuerySchema = z.object(pageQuery(500, "events")).strict();
export const ValueVersionsQuerySchema = z.object(pageQuery(100, "versions")).strict();

export const AUDIT_PAGING =
  "Pages follow the event id (keyset): a page ends at its size or after about 2 MiB of stored values, whichever comes first; " +
  "nextCursor (an event id) continues it, null means the end.";

export const auditRoutes = {
  list: defineRoute({
    route: "/api/v1/audit",
    method: "GET",
    tag,
    summary: "Audit history, newest first, filtered to the namespaces where the caller is reviewer or higher",
    description: `System-wide events (users, environments...) are shown to super-admins and every-namespace reviewers only. ${AUDIT_PAGING}`,
    query: AuditListQuerySchema,
    response: z.object({ events: z.array(AuditEventViewSchema), nextCursor: z.number().int().nullable() }),
  }),
  export: defineRoute({
    route: "/api/v1/audit/export",
    method: "GET",
    tag,
    summary: "Download the filtered audit history as CSV (with a header row) or JSON (an array of events)",
    description: "Sent as an attachment (content-disposition), streamed as it is read; format=json is application/json. Same visibility as the list.",
    query: AuditExportQuerySchema,
    responseContentType: "text/csv",
  }),
  flagHistory: defineRoute({
    route: `${flagPath}/history`,
    method: "GET",
    tag,
    summary: "Every audited change of one flag (definition and values in all environments), newest first, a page at a time",
    description: AUDIT_PAGING,
    query: FlagHistoryQuerySchema,
    response: z.object({ events: z.array(AuditEventViewSchema), nextCursor: z.number().int().nullable() }),
  }),
};

/** The audit endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const auditHandlers = {
  /** Streams the export; permission and input are checked before the response starts. */
  export: withApi(auditRoutes.export, async ({ ctx, query }) => downloadResponse(await exportAuditEvents({ ctx, input: query }))),
  list: withApi(auditRoutes.list, ({ ctx, query }) => listAuditEvents({ ctx, input: query })),
  flagHistory: withApi(auditRoutes.flagHistory, ({ ctx, params, query }) => getFlagHistory({ ctx, input: { ...query, ...params } })),
};
