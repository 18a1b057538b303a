import { withApi } from "@/lib/http/with-api";
import { auditRoutes } from "@/lib/http/routes";
import { getFlagHistory } from "@/lib/services/audit/list-audit";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(auditRoutes.flagHistory, async ({ ctx, params }) => ({ events: await getFlagHistory({ ctx, input: params }) }));
