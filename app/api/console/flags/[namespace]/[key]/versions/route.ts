import { withApi } from "@/lib/http/with-api";
import { listFlagValueVersions } from "@/lib/services/audit/rollback-flag-value";
import { consoleRoutes } from "../../../../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(consoleRoutes.versions, async ({ ctx, params }) => ({ versions: await listFlagValueVersions({ ctx, input: params }) }));
