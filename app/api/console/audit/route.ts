import { withApi } from "@/lib/http/with-api";
import { listAuditEvents } from "@/lib/services/audit/list-audit";
import { consoleRoutes } from "../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(consoleRoutes.audit, ({ ctx, query }) => listAuditEvents({ ctx, input: query }));
