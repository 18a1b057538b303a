import { downloadResponse } from "@/lib/http/download-response";
import { withApi } from "@/lib/http/with-api";
import { auditRoutes } from "@/lib/http/routes";
import { exportAuditEvents } from "@/lib/services/audit/export-audit";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Streams the export; permission and input are checked before the response starts. */
export const GET = withApi(auditRoutes.export, async ({ ctx, query }) => downloadResponse(await exportAuditEvents({ ctx, input: query })));
