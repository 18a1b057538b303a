import { withApi } from "@/lib/http/with-api";
import { flagRoutes } from "@/lib/http/routes";
import { setFlagValue } from "@/lib/services/flags/set-flag-value";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const PUT = withApi(flagRoutes.setValue, ({ ctx, params, body }) =>
  setFlagValue({ ctx, input: { ...body, ...params } }),
);
