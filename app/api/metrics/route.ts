import { getEnv } from "@/lib/config/env";
import { forbidden, ServiceError } from "@/lib/errors/service-error";
import { systemRoutes } from "@/lib/http/routes";
import { withApi } from "@/lib/http/with-api";
import { renderMetrics } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Prometheus metrics of this app process. Public only with METRICS_PUBLIC=on (a scraper on a private
 * network); otherwise a super-admin credential is required, e.g. a super-admin API token configured
 * as the scrape job's bearer token.
 */
export const GET = withApi(systemRoutes.metrics, async ({ ctx }) => {
  if (getEnv().METRICS_PUBLIC !== "on") {
    if (!ctx) throw new ServiceError("unauthenticated", "Metrics require a super-admin API token (or METRICS_PUBLIC=on)");
    if (!ctx.actor.isSuperAdmin) throw forbidden("Metrics are only available to super-admins");
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType } });
});
