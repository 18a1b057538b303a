import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";
import { createNodeSdkHandler } from "../../lib/delivery/node-adapter";
import type { ApiRouteHandler } from "../../lib/http/handlers";
import { createNodeApiHandler } from "../../lib/http/node-api-adapter";
import { StreamCore, type RateLimitOptions } from "../../lib/delivery/stream-core";
import { WatchHub, type HubLog } from "../../lib/delivery/watch-hub";

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
  /** Take the client address for rate limiting from X-Forwarded-For (only behind a trusted proxy). */
  trustProxy?: boolean;
  ringSize?: number;
  log?: HubLog;
  /**
   * Admin API handlers to serve under /api/v1/ as well (bearer tokens only), e.g. ALL_HANDLERS.
   * Passed in rather than imported so a server without them never loads the service layer's
   * process-wide database and etcd clients.
   */
  adminApi?: readonly ApiRouteHandler[];
}

export interface StreamServer {
  port: number;
  hub: WatchHub;
  core: StreamCore;
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
    log,
  });
  const sdk = createNodeSdkHandler(core, { trustProxy: opts.trustProxy });
  const api = opts.adminApi ? createNodeApiHandler(opts.adminApi) : null;

  const server = createServer((req, res) => {
    sdk(req, res)
      .then(async (handled) => {
        if (handled || (api && (await api(req, res)))) return;
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        if (req.method === "GET" && path === "/healthz") return health(res, hub, core);
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "not_found", message: "Not found" } }));
      })
      .catch((err: unknown) => {
        log("error", "stream server request failed", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(res.headersSent ? undefined : JSON.stringify({ error: { code: "internal", message: "Internal server error" } }));
      });
  });
  // Streams are long-lived: no request timeout once headers are in. A client gets 10 s to send its
  // headers (slowloris), and sockets beyond the stream cap plus room for API calls are refused at
  // accept, before they can exhaust file descriptors.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  server.maxConnections = core.maxStreams + 200;
  server.keepAliveTimeout = 5_000;

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
    server,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Also withdraws this process's SDK presence summary from etcd (at most a few seconds when
        // etcd is unreachable; its lease would expire anyway).
        const coreClosed = core.close();
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
