import { withApi } from "@/lib/http/with-api";
import { flagRoutes } from "@/lib/http/routes";
import { createFlag } from "@/lib/services/flags/create-flag";
import { listFlags } from "@/lib/services/flags/list-flags";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(flagRoutes.list, ({ ctx, query }) => listFlags({ ctx, input: query }));

export const POST = withApi(flagRoutes.create, ({ ctx, body }) => createFlag({ ctx, input: body }));
