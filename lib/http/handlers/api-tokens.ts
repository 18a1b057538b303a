import { withApi } from "../with-api";
import { apiTokenRoutes } from "../routes";
import { createApiToken } from "../../services/api-tokens/create-api-token";
import { listApiTokens } from "../../services/api-tokens/list-api-tokens";
import { revokeApiToken } from "../../services/api-tokens/revoke-api-token";

/** The api-tokens endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const apiTokenHandlers = {
  revoke: withApi(apiTokenRoutes.revoke, ({ ctx, params, query }) =>
    revokeApiToken({ ctx, input: { ...query, id: params.id } })),
  list: withApi(apiTokenRoutes.list, async ({ ctx }) => ({ tokens: await listApiTokens({ ctx }) })),
  create: withApi(apiTokenRoutes.create, ({ ctx, body }) => createApiToken({ ctx, input: body })),
};
