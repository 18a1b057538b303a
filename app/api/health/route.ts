import { checkHealth } from "@/lib/http/health";
import { systemRoutes } from "@/lib/http/routes";
import { withApi } from "@/lib/http/with-api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(systemRoutes.health, async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503 });
});
