import { withApi } from "@/lib/http/with-api";
import { apiTokenRoutes } from "@/lib/http/routes";
import { revokeApiToken } from "@/lib/services/api-tokens/revoke-api-token";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const DELETE = withApi(apiTokenRoutes.revoke, ({ ctx, params, query }) =>
  revokeApiToken({ ctx, input: { ...query, id: params.id } }),
);
