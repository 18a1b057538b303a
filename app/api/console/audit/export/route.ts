import { downloadResponse } from "@/lib/http/download-response";
import { withApi } from "@/lib/http/with-api";
import { exportAuditEvents } from "@/lib/services/audit/export-audit";
import { consoleRoutes } from "../../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Streams the export; permission and input are checked before the response starts. */
export const GET = withApi(consoleRoutes.auditExport, async ({ ctx, query }) => downloadResponse(await exportAuditEvents({ ctx, input: query })));
