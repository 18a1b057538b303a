import { withApi } from "@/lib/http/with-api";
import { auditRoutes } from "@/lib/http/routes";
import { listFlagValueVersions } from "@/lib/services/audit/rollback-flag-value";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The verb lists every environment's versions; this endpoint is one environment's. */
export const GET = withApi(auditRoutes.valueVersions, async ({ ctx, params: { namespace, key, environment } }) => ({
  versions: (await listFlagValueVersions({ ctx, input: { namespace, key } })).filter((v) => v.environment === environment),
}));
