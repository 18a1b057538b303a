import { withApi } from "@/lib/http/with-api";
import { sdkKeyRoutes } from "@/lib/http/routes";
import { revokeSdkKey } from "@/lib/services/sdk-keys";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const DELETE = withApi(sdkKeyRoutes.revoke, ({ ctx, params, query }) =>
  revokeSdkKey({ ctx, input: { id: params.id, reason: query.reason } }),
);
