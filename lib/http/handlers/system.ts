import { withApi } from "../with-api";
import { systemRoutes } from "../routes";
import { getOpenApiDocument } from "../openapi";

/** The system endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const systemHandlers = {
  openapi: withApi(systemRoutes.openapi, () =>
    Response.json(getOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } })),
};
