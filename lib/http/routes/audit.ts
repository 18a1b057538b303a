import { z } from "zod";
import { AuditEventViewSchema, AuditFilterSchema, RollbackFlagValueSchema, ValueVersionSchema } from "../../services/audit/schemas";
import { FlagViewSchema } from "../../services/flags/schemas";
import { queryInt } from "../query";
import { defineRoute } from "../route-spec";

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

export const auditRoutes = {
  list: defineRoute({
    route: "/api/v1/audit",
    method: "GET",
    tag,
    summary: "Audit history, newest first, filtered to the namespaces where the caller is reviewer or higher",
    description: "System-wide events (users, environments...) are shown to super-admins and every-namespace reviewers only.",
    query: AuditListQuerySchema,
    response: z.object({ events: z.array(AuditEventViewSchema), nextCursor: z.number().int().nullable() }),
  }),
  export: defineRoute({
    route: "/api/v1/audit/export",
    method: "GET",
    tag,
    summary: "Download the filtered audit history as CSV (with a header row) or JSON (an array of events)",
    description: "Sent as an attachment (content-disposition); format=json is application/json. Same visibility as the list.",
    query: AuditExportQuerySchema,
    responseContentType: "text/csv",
  }),
  flagHistory: defineRoute({
    route: `${flagPath}/history`,
    method: "GET",
    tag,
    summary: "Every audited change of one flag (definition and values in all environments), newest first",
    response: z.object({ events: z.array(AuditEventViewSchema) }),
  }),
  valueVersions: defineRoute({
    route: `${flagPath}/values/[environment]/versions`,
    method: "GET",
    tag,
    summary: "The audited versions of a flag's value in one environment, newest first (what rollback can restore)",
    response: z.object({ versions: z.array(ValueVersionSchema) }),
  }),
  rollback: defineRoute({
    route: `${flagPath}/values/[environment]/rollback`,
    method: "POST",
    tag,
    summary: "Set a flag's value in one environment back to an earlier audited version, as a new version",
    description:
      "History is never rewritten: the restored value gets a new version, its own audit row and is published to every SDK. " +
      "Needs write access there and reviewer access to the history. With expectedVersion, a concurrent change makes this fail with 409 (details.currentVersion).",
    body: RollbackFlagValueSchema.omit({ namespace: true, key: true, environment: true }),
    response: FlagViewSchema,
    errors: [400, 404, 409],
  }),
};
