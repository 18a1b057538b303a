import { z } from "zod";
import { CreateEnvironmentSchema, EnvironmentViewSchema } from "../../services/environments/schemas";
import { defineRoute } from "../route-spec";

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
    tag,
    summary: "Create an environment (super-admins); every flag gets its default value there",
    body: CreateEnvironmentSchema,
    response: EnvironmentViewSchema,
    status: 201,
    errors: [409],
  }),
};
