import { withApi } from "@/lib/http/with-api";
import { listFlags } from "@/lib/services/flags/list-flags";
import { consoleRoutes } from "../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(consoleRoutes.flags, ({ ctx, query }) => listFlags({ ctx, input: query }));
