import { z } from "zod";
import { defineRoute } from "../http/route-spec";
import { getEnv } from "../config/env";
import { forbidden, ServiceError } from "../errors/service-error";
import { checkHealth } from "../http/health";
import { withApi } from "../http/with-api";
import { renderMetrics } from "../observability/metrics";

const tag = "system";

const CheckSchema = z.object({ ok: z.boolean(), latencyMs: z.number() });

export const HealthSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.object({ database: CheckSchema, etcd: CheckSchema }),
});

export const systemRoutes = {
  openapi: defineRoute({
    route: "/api/v1/openapi.json",
    method: "GET",
    tag,
    auth: "none",
    summary: "This OpenAPI 3.1 document",
    response: z.record(z.string(), z.unknown()),
  }),
  health: defineRoute({
    route: "/api/health",
    method: "GET",
    tag,
    auth: "none",
    summary: "Database and etcd reachability (200 when both answer, else 503)",
    response: HealthSchema,
    errors: [503],
  }),
  metrics: defineRoute({
    route: "/api/metrics",
    method: "GET",
    tag,
    auth: "optional",
    summary: "Prometheus metrics of this app process",
    description: "Public when METRICS_PUBLIC=on; otherwise requires a super-admin credential (e.g. a super-admin API token as Prometheus bearer_token).",
    responseContentType: "text/plain; version=0.0.4",
  }),
};

/** The system endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const systemHandlers = {
  // Loaded at the first request: the document lists every endpoint, this one too, so a static import
  // of it (through the registry) would be an import cycle.
  openapi: withApi(systemRoutes.openapi, async () => {
    const { getOpenApiDocument } = await import("../http/openapi");
    return Response.json(getOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
  }),
};

/**
 * Health and metrics of the app process itself (the worker serves its own on its ports, so these are
 * not in systemHandlers, which the worker mounts).
 */
export const appProcessHandlers = {
  health: withApi(systemRoutes.health, async () => {
    const health = await checkHealth();
    return Response.json(health, { status: health.status === "ok" ? 200 : 503 });
  }),
  /**
   * Prometheus metrics of this app process. Public only with METRICS_PUBLIC=on (a scraper on a private
   * network); otherwise a super-admin credential is required, e.g. a super-admin API token configured
   * as the scrape job's bearer token.
   */
  metrics: withApi(systemRoutes.metrics, async ({ ctx }) => {
    if (getEnv().METRICS_PUBLIC !== "on") {
      if (!ctx) throw new ServiceError("unauthenticated", "Metrics require a super-admin API token (or METRICS_PUBLIC=on)");
      if (!ctx.actor.isSuperAdmin) throw forbidden("Metrics are only available to super-admins");
    }
    const { contentType, body } = await renderMetrics();
    return new Response(body, { headers: { "content-type": contentType } });
  }),
};
