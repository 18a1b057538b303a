import { getDb } from "@/lib/db/client";
import { getProcessDelivery } from "@/lib/delivery/process-delivery";
import { ServiceError } from "@/lib/errors/service-error";
import { withApi } from "@/lib/http/with-api";
import { consoleRoutes } from "../../_lib/console-routes";
import { consoleEventStream } from "../../_lib/console-stream";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Live flag events for the realtime panel; authorised (by the session) before the stream opens. */
export const GET = withApi(consoleRoutes.realtimeStream, async ({ req, ctx }) => {
  const { hub } = getProcessDelivery();
  if (!(await hub.whenReady(5_000))) throw new ServiceError("unavailable", "The live event feed is not ready (etcd is unreachable); try again shortly.");
  const body = consoleEventStream({ hub, actor: ctx.actor, db: getDb(), signal: req.signal });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
});
