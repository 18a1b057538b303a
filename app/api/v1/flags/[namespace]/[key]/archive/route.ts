import { withApi } from "@/lib/http/with-api";
import { flagRoutes } from "@/lib/http/routes";
import { archiveFlag } from "@/lib/services/flags/archive-flag";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = withApi(flagRoutes.archive, ({ ctx, params, body }) =>
  archiveFlag({ ctx, input: { ...body, ...params } }),
);
