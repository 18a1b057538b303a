import { withApi } from "@/lib/http/with-api";
import { outboxRoutes } from "@/lib/http/routes";
import { outboxStats } from "@/lib/services/outbox/outbox-stats";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(outboxRoutes.stats, ({ ctx }) => outboxStats({ ctx }));
