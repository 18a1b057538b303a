import { withApi } from "@/lib/http/with-api";
import { auditRoutes } from "@/lib/http/routes";
import { listAuditEvents } from "@/lib/services/audit/list-audit";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(auditRoutes.list, ({ ctx, query }) => listAuditEvents({ ctx, input: query }));
