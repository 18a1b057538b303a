import { withApi } from "@/lib/http/with-api";
import { outboxStats } from "@/lib/services/outbox/outbox-stats";
import { consoleRoutes } from "../../_lib/console-routes";
import { readPresenceStats } from "../../_lib/realtime-presence";
import { readRealtimeStats } from "../../_lib/realtime-stats";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Counts and latencies only (nothing about any flag), so every signed-in user may read them; the
 * SDK client counts only cover namespaces the viewer may see (realtime-presence.ts).
 */
export const GET = withApi(consoleRoutes.realtimeStats, async ({ ctx }) => ({
  ...(await readRealtimeStats()),
  outbox: await outboxStats({ ctx }),
  presence: await readPresenceStats(ctx.actor),
}));
