import http from "node:http";
import type { AddressInfo } from "node:net";
import { renderMetrics } from "../lib/observability/metrics";
import { describeError, type WorkerLog } from "./support/log";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker's only HTTP surface: `GET /metrics` (Prometheus text) and `GET /healthz` (JSON: leader or
 * standby, outbox backlog). Plain node:http, no framework; nothing here changes state.
 */
export async function startMetricsServer(o: {
  port: number;
  host?: string;
  health: () => Record<string, unknown>;
  log: WorkerLog;
}): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      try {
        if (req.method !== "GET" && req.method !== "HEAD") {
          res.writeHead(405, { allow: "GET, HEAD" }).end();
        } else if (path === "/metrics") {
          const { contentType, body } = await renderMetrics();
          res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
        } else if (path === "/healthz") {
          res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(o.health()));
        } else {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        }
      } catch (err) {
        o.log("error", "metrics_server.request_failed", { path, err: describeError(err) });
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.log("info", "metrics_server.listening", { port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
