import { z } from "zod";
import { CreateEnvironmentSchema, EnvironmentViewSchema } from "./schemas";
import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { createEnvironment, listEnvironments } from "./environment-verbs";

const tag = "environments";

export const environmentRoutes = {
  list: defineRoute({
    route: "/api/v1/environments",
    method: "GET",
    tag,
    summary: "List environments",
    response: z.object({ environments: z.array(EnvironmentViewSchema) }),
  }),
  create: defineRoute({
    route: "/api/v1/environments",
    method: "POST",
    idempotent: true,
    tag,
    summary: "Create an environment (super-admins); every flag gets its default value there",
    body: CreateEnvironmentSchema,
    response: EnvironmentViewSchema,
    status: 201,
    errors: [409],
  }),
};

/** The environments endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const environmentHandlers = {
  list: withApi(environmentRoutes.list, async ({ ctx }) =>
    ({ environments: await listEnvironments({ ctx }) })),
  create: withApi(environmentRoutes.create, ({ ctx, body }) => createEnvironment({ ctx, input: body })),
};
