import { z } from "zod";
import { defineRoute } from "../route-spec";

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
