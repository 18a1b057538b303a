import { withApi } from "@/lib/http/with-api";
import { apiTokenRoutes } from "@/lib/http/routes";
import { createApiToken } from "@/lib/services/api-tokens/create-api-token";
import { listApiTokens } from "@/lib/services/api-tokens/list-api-tokens";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(apiTokenRoutes.list, async ({ ctx }) => ({ tokens: await listApiTokens({ ctx }) }));

export const POST = withApi(apiTokenRoutes.create, ({ ctx, body }) => createApiToken({ ctx, input: body }));
