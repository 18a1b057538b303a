import { withApi } from "@/lib/http/with-api";
import { getOpenApiDocument } from "@/lib/http/openapi";
import { systemRoutes } from "@/lib/http/routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(systemRoutes.openapi, () =>
  Response.json(getOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
