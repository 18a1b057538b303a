import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddress } from "../delivery/stream/client-address";
import { readNodeBody } from "../delivery/presence/report-transport";
import { NodeSink } from "../delivery/stream/node-adapter";
import { isOfrepPath } from "./ofrep-http";
import type { OfrepService } from "./ofrep-service";

/** Serves /ofrep/v1/* on a node:http server (the worker's stream server); false for other paths. */
/**
 * A request target URL would return unchanged: only path characters that need no decoding or
 * normalisation (no query, fragment, escapes, dot segments, backslashes or empty segments).
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9_~.-]*)+$/;
const NO_QUERY = new URLSearchParams();

function pathAndQuery(target: string): { path: string; query: URLSearchParams } | null {
  // The evaluation endpoints' targets are plain: no URL object for them.
  if (PLAIN_PATH.test(target)) return { path: target, query: NO_QUERY };
  try {
    const url = new URL(target, "http://localhost");
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return null;
  }
}

export function createNodeOfrepHandler(service: OfrepService) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const target = req.url ?? "/";
    if (!target.startsWith("/ofrep/")) return false;
    const url = pathAndQuery(target);
    if (!url || !isOfrepPath(url.path)) return false;
    const xff = req.headers["x-forwarded-for"];
    const outcome = await service.handle({
      method: req.method ?? "GET",
      path: url.path,
      header: (name) => {
        const v = req.headers[name];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
      query: url.query,
      address: clientAddress(req.socket.remoteAddress, Array.isArray(xff) ? xff.join(",") : (xff ?? null), service.trustProxy),
      readBody: (limit) => readNodeBody(req, limit),
    });
    if (outcome.kind === "reply") {
      const { reply } = outcome;
      // A body left unread (too large, or never read) makes the connection unusable for the next request.
      const headers = req.complete ? reply.headers : { ...reply.headers, connection: "close" };
      res.writeHead(reply.status, headers);
      res.end(reply.status === 204 || reply.status === 304 ? undefined : reply.body);
      return true;
    }
    if (res.destroyed || req.socket.destroyed) return true;
    res.writeHead(200, outcome.headers);
    // The SDK stream's sink: frames shared by every stream go to the socket pre-framed, once each.
    const conn = outcome.open(new NodeSink(res));
    res.once("close", () => conn.close());
    return true;
  };
}
