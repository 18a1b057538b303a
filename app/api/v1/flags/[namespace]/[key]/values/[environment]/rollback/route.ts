import { withApi } from "@/lib/http/with-api";
import { auditRoutes } from "@/lib/http/routes";
import { rollbackFlagValue } from "@/lib/services/audit/rollback-flag-value";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = withApi(auditRoutes.rollback, ({ ctx, params, body }) => rollbackFlagValue({ ctx, input: { ...body, ...params } }));
