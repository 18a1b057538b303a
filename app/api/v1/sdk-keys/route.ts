import { withApi } from "@/lib/http/with-api";
import { sdkKeyRoutes } from "@/lib/http/routes";
import { createSdkKey, listSdkKeys } from "@/lib/services/sdk-keys";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(sdkKeyRoutes.list, async ({ ctx, query }) => ({
  sdkKeys: await listSdkKeys({
    ctx,
    input: { environment: query.environment, includeRevoked: query.includeRevoked === "true" },
  }),
}));

export const POST = withApi(sdkKeyRoutes.create, ({ ctx, body }) => createSdkKey({ ctx, input: body }));
