import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";
import { createNodeSdkHandler } from "../../lib/delivery/stream/node-adapter";
import type { ApiRouteHandler } from "../../lib/http/api-registry";
import { createNodeApiHandler } from "../../lib/http/node-api-adapter";
import { createNodeOfrepHandler } from "../../lib/ofrep/node-transport";
import { createNodeReportHandler } from "../../lib/report-cors/report-transports";
import { OfrepService, type OfrepServiceOptions } from "../../lib/ofrep/ofrep-service";
import { StreamCore, type RateLimitOptions } from "../../lib/delivery/stream/stream-core";
import { WatchHub, type HubLog } from "../../lib/delivery/hub/watch-hub";
import { applyClientLimits, checkingIntervalMs, type ClientLimits } from "./client-limits";

export interface StreamServerOptions {
  db: Db;
  root: Namespace;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** A hub to share; by default the server makes (and on close stops) its own. */
  hub?: WatchHub;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  revocationCheckMs?: number;
  rateLimit?: RateLimitOptions | false;
  /** Open streams held at most; more get 503 + Retry-After (default: open-file limit minus a reserve). */
  maxStreams?: number;
  /** TRUSTED_PROXIES: peers whose X-Forwarded-For names the client address (default: none). */
  trustedProxies?: readonly string[];
  ringSize?: number;
  log?: HubLog;
  /**
   * Admin API handlers to serve under /api/v1/ as well (bearer tokens only), e.g. ALL_HANDLERS.
   * Passed in rather than imported so a server without them never loads the service layer's
   * process-wide database and etcd clients.
   */
  adminApi?: readonly ApiRouteHandler[];
  /** Deadlines, and the cap on connections with no request in service (see client-limits.ts). */
  clientLimits?: Partial<ClientLimits>;
  /** OFREP's own rate limits (lib/ofrep/ofrep-admission.ts); false disables. */
  ofrepRateLimit?: OfrepServiceOptions["rateLimit"];
  /** How long a reporting SDK client counts after its last report (default SDK_CLIENT_TTL_MS). */
  clientTtlMs?: number;
}

/**
 * SDKs send a report at least every 10 s (sdk/src/revision-reporter.ts), so a client silent for
 * 25 s has missed two and is gone: one whose process or socket died without a `closed` report
 * stops counting within 25 s + the 2 s presence publish tick + the console's 1 s read cache.
 */
export const SDK_CLIENT_TTL_MS = 25_000;

export interface StreamServer {
  port: number;
  hub: WatchHub;
  core: StreamCore;
  ofrep: OfrepService;
  server: Server;
  close(): Promise<void>;
}

/**
 * The sidecar SDK stream server: GET /api/sdk/v1/stream and /api/sdk/v1/flags (same protocol and
 * code as the Next.js route handlers), GET /healthz, and optionally the admin API (/api/v1/*, the
 * same handlers as the app's, for high-rate automation). Metrics are served on the
 * worker's separate, internal metrics port, never on this public one. Stateless apart from its
 * watch hub, so any number of them can run behind a load balancer.
 */
export async function startStreamServer(opts: StreamServerOptions): Promise<StreamServer> {
  const log = opts.log ?? (() => {});
  const ownHub = !opts.hub;
  const hub = opts.hub ?? new WatchHub({ root: opts.root, ringSize: opts.ringSize, log });
  const core = new StreamCore({
    db: opts.db,
    hub,
    transport: "sidecar",
    heartbeatMs: opts.heartbeatMs,
    maxBufferedBytes: opts.maxBufferedBytes,
    revocationCheckMs: opts.revocationCheckMs,
    rateLimit: opts.rateLimit,
    maxStreams: opts.maxStreams,
    trustedProxies: opts.trustedProxies,
    reports: { table: { ttlMs: opts.clientTtlMs ?? SDK_CLIENT_TTL_MS } },
    log,
  });
  const sdk = createNodeSdkHandler(core);
  const api = opts.adminApi ? createNodeApiHandler(opts.adminApi) : null;
  const ofrep = new OfrepService({ db: opts.db, hub, rateLimit: opts.ofrepRateLimit, maxStreams: core.maxStreams, heartbeatMs: opts.heartbeatMs, revocationCheckMs: opts.revocationCheckMs, trustProxy: core.trustProxy });
  const ofrepHandler = createNodeOfrepHandler(ofrep);

  // The report endpoint with CORS per SDK key (lib/report-cors), ahead of the SDK handler's own.
  const report = createNodeReportHandler(core, opts.db);

  const others = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ((await report(req, res)) || (await sdk(req, res)) || (api && (await api(req, res)))) return;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/healthz") return health(res, hub, core);
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "not_found", message: "Not found" } }));
  };

  const server = createServer({ connectionsCheckingInterval: checkingIntervalMs(opts.clientLimits) }, (req, res) => {
    // OFREP requests are the most frequent: they go to their handler first, without the report and
    // SDK handlers parsing the target too. It declines any target whose path is not /ofrep/v1/...
    // (a dot segment can lead out of it), which then takes the usual route.
    const handling = req.url?.startsWith("/ofrep/") ? ofrepHandler(req, res).then((handled) => (handled ? undefined : others(req, res))) : others(req, res);
    handling.catch((err: unknown) => {
      log("error", "stream server request failed", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(res.headersSent ? undefined : JSON.stringify({ error: { code: "internal", message: "Internal server error" } }));
    });
  });
  applyClientLimits(server, core.maxStreams, opts.clientLimits);

  void hub.start();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    port,
    hub,
    core,
    ofrep,
    server,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Also withdraws this process's SDK presence summary from etcd (at most a few seconds when
        // etcd is unreachable; its lease would expire anyway).
        const coreClosed = core.close();
        ofrep.close();
        server.closeAllConnections();
        await Promise.all([stopped, coreClosed]);
        if (ownHub) await hub.stop();
      })();
      return closing;
    },
  };
}

function health(res: ServerResponse, hub: WatchHub, core: StreamCore): void {
  const stats = hub.stats();
  // Ready means "has a state to serve"; a lost etcd watch is reported but does not fail the
  // check, so a load balancer keeps serving the last known flags during an etcd outage.
  res.writeHead(stats.ready ? 200 : 503, { "content-type": "application/json", "cache-control": "no-cache" });
  res.end(JSON.stringify({ status: stats.ready ? "ok" : "starting", hub: stats, openStreams: core.openStreams }));
}
