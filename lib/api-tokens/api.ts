import { z } from "zod";
import { ApiTokenViewSchema, CreateApiTokenSchema, CreatedApiTokenSchema } from "./schemas";
import { defineRoute } from "../http/route-spec";
import { ReasonQuerySchema } from "../http/common-schemas";
import { withApi } from "../http/with-api";
import { secretShownOnce } from "../idempotency/secret-replay";
import { createApiToken } from "./create-api-token";
import { listApiTokens } from "./list-api-tokens";
import { revokeApiToken } from "./revoke-api-token";

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
    idempotent: true,
    idempotentAnswer: secretShownOnce("token", "API token"),
    tag,
    summary: "Create an admin API token; the response holds the secret, once",
    description:
      "With an Idempotency-Key, a retry with the same key and body creates nothing and answers 409 conflict naming the API token already created (details, without the secret): " +
      "the secret is never stored, so it is shown only in the first answer.",
    body: CreateApiTokenSchema,
    response: CreatedApiTokenSchema,
    status: 201,
    errors: [409],
  }),
  revoke: defineRoute({
    route: "/api/v1/api-tokens/[id]",
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Revoke an admin API token",
    params: z.object({ id: z.coerce.number({ error: "must be a token id" }).int().min(1) }),
    query: ReasonQuerySchema,
    response: ApiTokenViewSchema,
    errors: [404],
  }),
};

/** The api-tokens endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const apiTokenHandlers = {
  revoke: withApi(apiTokenRoutes.revoke, ({ ctx, params, query }) =>
    revokeApiToken({ ctx, input: { ...query, id: params.id } })),
  list: withApi(apiTokenRoutes.list, async ({ ctx }) => ({ tokens: await listApiTokens({ ctx }) })),
  create: withApi(apiTokenRoutes.create, ({ ctx, body }) => createApiToken({ ctx, input: body })),
};
