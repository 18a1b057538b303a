import { z } from "zod";
import { ApiTokenViewSchema, CreateApiTokenSchema, CreatedApiTokenSchema } from "../../services/api-tokens/schemas";
import { defineRoute } from "../route-spec";
import { ReasonQuerySchema } from "./common";

const tag = "api-tokens";

export const apiTokenRoutes = {
  list: defineRoute({
    route: "/api/v1/api-tokens",
    method: "GET",
    tag,
    summary: "List the admin API tokens the caller may manage (secrets are never shown again)",
    response: z.object({ tokens: z.array(ApiTokenViewSchema) }),
  }),
  create: defineRoute({
    route: "/api/v1/api-tokens",
    method: "POST",
    tag,
    summary: "Create an admin API token; the response holds the secret, once",
    body: CreateApiTokenSchema,
    response: CreatedApiTokenSchema,
    status: 201,
  }),
  revoke: defineRoute({
    route: "/api/v1/api-tokens/[id]",
    method: "DELETE",
    tag,
    summary: "Revoke an admin API token",
    params: z.object({ id: z.coerce.number({ error: "must be a token id" }).int().min(1) }),
    query: ReasonQuerySchema,
    response: ApiTokenViewSchema,
    errors: [404],
  }),
};
