import { withApi } from "@/lib/http/with-api";
import { flagRoutes } from "@/lib/http/routes";
import { deleteFlag } from "@/lib/services/flags/delete-flag";
import { getFlag } from "@/lib/services/flags/get-flag";
import { updateFlag } from "@/lib/services/flags/update-flag";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(flagRoutes.get, ({ ctx, params }) => getFlag({ ctx, input: params }));

export const PATCH = withApi(flagRoutes.update, ({ ctx, params, body }) =>
  updateFlag({ ctx, input: { ...body, ...params } }),
);

export const DELETE = withApi(flagRoutes.delete, ({ ctx, params, query }) =>
  deleteFlag({ ctx, input: { ...query, ...params } }),
);
