import { z } from "zod";
import { queryInt } from "@/lib/http/query";
import { defineRoute } from "@/lib/http/route-spec";
import { ListFlagsQuerySchema } from "@/lib/http/routes/flags";
import { AuditFilterSchema } from "@/lib/services/audit/schemas";

/**
 * Read endpoints of the console's own pages (client-side fetching with react-query). They are thin
 * wrappers over the same service verbs as the admin API, authorised by the console session through
 * the same wrapper; they are not part of the public API document.
 */
const tag = "console";

export const AuditQuerySchema = AuditFilterSchema.extend({
  cursor: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 500).optional(),
});

export const consoleRoutes = {
  flags: defineRoute({ route: "/api/console/flags", method: "GET", tag, summary: "Flags for the console list", query: ListFlagsQuerySchema }),
  audit: defineRoute({ route: "/api/console/audit", method: "GET", tag, summary: "Audit history page", query: AuditQuerySchema }),
  auditExport: defineRoute({
    route: "/api/console/audit/export",
    method: "GET",
    tag,
    summary: "Audit history as a CSV or JSON download",
    query: AuditFilterSchema.extend({ format: z.enum(["csv", "json"]).optional() }),
    responseContentType: "text/csv",
  }),
  versions: defineRoute({
    route: "/api/console/flags/[namespace]/[key]/versions",
    method: "GET",
    tag,
    summary: "Audited versions of a flag's values (what rollback can restore)",
  }),
  flagClients: defineRoute({
    route: "/api/console/flags/[namespace]/[key]/clients",
    method: "GET",
    tag,
    summary: "Per environment, how many reporting SDK clients have the flag's current value",
  }),
  realtimeStats: defineRoute({ route: "/api/console/realtime/stats", method: "GET", tag, summary: "Open streams, recent propagation latency and reporting SDK clients" }),
  realtimeStream: defineRoute({ route: "/api/console/realtime/stream", method: "GET", tag, summary: "Live flag events (SSE)", responseContentType: "text/event-stream" }),
};
