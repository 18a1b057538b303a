import { z } from "zod";
import { queryInt } from "../http/query";
import { defineRoute } from "../http/route-spec";
import { ValueVersionsQuerySchema } from "../audit/api";
import { AuditFilterSchema } from "../audit/schemas";
import { FlagListPageQuerySchema } from "./flag-list-page";
import { resolveActor } from "../auth/resolve-actor";
import { getEnv } from "../config/env";
import { getDb } from "../db/client";
import { getProcessDelivery } from "../delivery/process-delivery";
import { flagAdoption } from "../delivery/presence/flag-adoption";
import { getEtcd } from "../etcd/client";
import { ServiceError } from "../errors/service-error";
import { downloadResponse } from "../http/download-response";
import { withApi } from "../http/with-api";
import { exportAuditEvents } from "../audit/export-audit";
import { listAuditEvents } from "../audit/list-audit";
import { getFlag } from "../flags/get-flag";
import { readLastSeen } from "../last-seen/read-last-seen";
import { outboxStats } from "../outbox/outbox-stats";
import { listFlagValueVersions } from "../values/value-versions";
import { consoleEventStream } from "./console-stream";
import { listFlagPageWithLastSeen } from "./flag-list-page";
import { readPresenceStats } from "./realtime-presence";
import { readRealtimeStats } from "./realtime-stats";

/**
 * Read endpoints of the console's own pages (client-side fetching with react-query). They are thin
 * wrappers over the same service verbs as the admin API, authorised by the console session through
 * the same wrapper; they are not part of the public API document.
 */
const tag = "console";

export const AuditQuerySchema = AuditFilterSchema.extend({
  cursor: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 500).optional(),
});

export const consoleRoutes = {
  flags: defineRoute({ route: "/api/console/flags", method: "GET", tag, summary: "One page of the console's flag list, sorted and counted over every matching flag", query: FlagListPageQuerySchema }),
  audit: defineRoute({ route: "/api/console/audit", method: "GET", tag, summary: "Audit history page", query: AuditQuerySchema }),
  auditExport: defineRoute({
    route: "/api/console/audit/export",
    method: "GET",
    tag,
    summary: "Audit history as a CSV or JSON download",
    query: AuditFilterSchema.extend({ format: z.enum(["csv", "json"]).optional() }),
    responseContentType: "text/csv",
  }),
  versions: defineRoute({
    route: "/api/console/flags/[namespace]/[key]/versions",
    method: "GET",
    tag,
    summary: "Audited versions of a flag's values (what rollback can restore), a page at a time",
    query: ValueVersionsQuerySchema,
  }),
  flagClients: defineRoute({
    route: "/api/console/flags/[namespace]/[key]/clients",
    method: "GET",
    tag,
    summary: "Per environment, how many reporting SDK clients have the flag's current value",
  }),
  realtimeStats: defineRoute({ route: "/api/console/realtime/stats", method: "GET", tag, summary: "Open streams, recent propagation latency and reporting SDK clients" }),
  realtimeStream: defineRoute({ route: "/api/console/realtime/stream", method: "GET", tag, summary: "Live flag events (SSE)", responseContentType: "text/event-stream" }),
};

/** The console's own endpoints (app/api/console/**), each a one-line route file re-exporting one of these. */
export const consoleHandlers = {
  audit: withApi(consoleRoutes.audit, ({ ctx, query }) => listAuditEvents({ ctx, input: query })),
  /** Streams the export; permission and input are checked before the response starts. */
  auditExport: withApi(consoleRoutes.auditExport, async ({ ctx, query }) => downloadResponse(await exportAuditEvents({ ctx, input: query }))),
  flags: withApi(consoleRoutes.flags, ({ ctx, query }) => listFlagPageWithLastSeen({ ctx, input: query })),
  versions: withApi(consoleRoutes.versions, ({ ctx, params, query }) => listFlagValueVersions({ ctx, input: { ...query, ...params } })),
  /**
   * "N of M clients have this change" and "last seen" (lib/last-seen) per environment of one flag.
   * getFlag checks that the viewer may read the namespace (and hides a flag outside it), so the
   * counts never describe anything else.
   */
  flagClients: withApi(consoleRoutes.flagClients, async ({ ctx, params }) => {
    const flag = await getFlag({ ctx, input: params });
    try {
      const envs = Object.keys(flag.values);
      const [environments, lastSeen] = await Promise.all([
        flagAdoption(getEtcd().root, flag.namespace, flag.key, envs),
        readLastSeen(getDb(), getEtcd().root, [flag], envs).then((r) => r[`${flag.namespace}/${flag.key}`] ?? {}),
      ]);
      return { environments, lastSeen };
    } catch {
      throw new ServiceError("unavailable", "SDK client counts are unavailable right now (etcd did not answer); try again shortly.");
    }
  }),
  /**
   * Counts and latencies only (nothing about any flag), so every signed-in user may read them; the
   * SDK client counts only cover namespaces the viewer may see (realtime-presence.ts).
   */
  realtimeStats: withApi(consoleRoutes.realtimeStats, async ({ ctx }) => {
    // Three independent reads (metrics, MySQL, etcd): in parallel, not one after another.
    const [stats, outbox, presence] = await Promise.all([readRealtimeStats(), outboxStats({ ctx }), readPresenceStats(ctx.actor)]);
    return { ...stats, outbox, presence };
  }),
  /**
   * Live flag events for the realtime panel; authorised before the stream opens and then again,
   * with the same resolvers (session cookie with its expiry and password fingerprint, or API
   * token), every CONSOLE_STREAM_RECHECK_SECONDS until CONSOLE_STREAM_MAX_SECONDS ends it.
   */
  realtimeStream: withApi(consoleRoutes.realtimeStream, async ({ req, ctx }) => {
    const { hub } = getProcessDelivery();
    if (!(await hub.whenReady(5_000))) throw new ServiceError("unavailable", "The live event feed is not ready (etcd is unreachable); try again shortly.");
    const env = getEnv();
    const recheck = async () => {
      try {
        return (await resolveActor(req))?.actor ?? null;
      } catch (err) {
        if (err instanceof ServiceError && err.code === "unauthenticated") return null;
        throw err;
      }
    };
    const body = consoleEventStream({
      hub,
      actor: ctx.actor,
      recheck,
      recheckMs: env.CONSOLE_STREAM_RECHECK_SECONDS * 1000,
      maxLifetimeMs: env.CONSOLE_STREAM_MAX_SECONDS * 1000,
      signal: req.signal,
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
    });
  }),
};
