import { withApi } from "../with-api";
import { auditRoutes } from "../routes";
import { downloadResponse } from "../download-response";
import { exportAuditEvents } from "../../services/audit/export-audit";
import { getFlagHistory, listAuditEvents } from "../../services/audit/list-audit";
import { listFlagValueVersions, rollbackFlagValue } from "../../services/audit/rollback-flag-value";

/** The audit endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const auditHandlers = {
  /** Streams the export; permission and input are checked before the response starts. */
  export: withApi(auditRoutes.export, async ({ ctx, query }) => downloadResponse(await exportAuditEvents({ ctx, input: query }))),
  list: withApi(auditRoutes.list, ({ ctx, query }) => listAuditEvents({ ctx, input: query })),
  flagHistory: withApi(auditRoutes.flagHistory, async ({ ctx, params }) => ({ events: await getFlagHistory({ ctx, input: params }) })),
  rollback: withApi(auditRoutes.rollback, ({ ctx, params, body }) => rollbackFlagValue({ ctx, input: { ...body, ...params } })),
  /** The verb lists every environment's versions; this endpoint is one environment's. */
  valueVersions: withApi(auditRoutes.valueVersions, async ({ ctx, params: { namespace, key, environment } }) => ({
    versions: (await listFlagValueVersions({ ctx, input: { namespace, key } })).filter((v) => v.environment === environment),
  })),
};
