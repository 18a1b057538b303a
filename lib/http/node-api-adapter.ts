import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { toErrorResponse } from "../errors/http";
import { ServiceError } from "../errors/service-error";
import type { ApiRouteHandler } from "./api-registry";
import { pathParamNames } from "./route-spec";
import type { ApiRequest, HeaderReader } from "./api-request";

/**
 * Serves the admin API's own handlers (withApi: same auth, validation, errors, metrics) from a
 * plain node:http server, for automation that writes faster than a Next.js route handler can take
 * (see bench/write-throughput.ts --target sidecar). Only what differs from Next lives here: the
 * router and reading the request straight off the socket (withApi.run takes an ApiRequest, so no
 * Fetch Request or Response is built unless a handler returns one, e.g. a download).
 *
 * Bearer tokens only: the Cookie header is dropped, so a console session never authenticates here
 * (this port is not the console's origin, and cookie auth would need its CSRF checks).
 */
export interface NodeApiHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

interface CompiledRoute {
  pattern: RegExp;
  names: string[];
  byMethod: Map<string, ApiRouteHandler>;
}

/** Same hardening as next.config.ts gives the app's responses; JSON needs no scripts or frames. */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export function createNodeApiHandler(handlers: readonly ApiRouteHandler[], opts: { prefix?: string } = {}): NodeApiHandler {
  const prefix = opts.prefix ?? "/api/v1/";
  const routes = compile(handlers);
  return async function handle(req, res) {
    const rawPath = (req.url ?? "/").split("?", 1)[0]!;
    if (!rawPath.startsWith(prefix)) return false;
    const match = findRoute(routes, rawPath);
    if (!match) return false;
    const method = req.method ?? "GET";
    const handler = match.route.byMethod.get(method) ?? (method === "HEAD" ? match.route.byMethod.get("GET") : undefined);
    if (!handler) {
      const allow = [...match.route.byMethod.keys()].join(", ");
      sendError(res, new ServiceError("bad_request", `Method ${method} is not supported here; use ${allow}`), { allow }, 405);
      return true;
    }
    const peer = req.socket.remoteAddress;
    const out = await handler.run(toApiRequest(req, method, peer), match.params);
    // A body left unread (refused before reading: no credentials, too large) would be parsed as
    // the next request, and reading it would let its sender decide how long we wait: close instead.
    if (!req.complete) res.shouldKeepAlive = false;
    if (out instanceof Response) await sendResponse(res, out, method === "HEAD");
    else {
      const bytes = Buffer.from(out.json, "utf8");
      res.writeHead(out.status, { ...SECURITY_HEADERS, "content-type": "application/json", ...out.headers, "content-length": String(bytes.length) });
      res.end(method === "HEAD" ? undefined : bytes);
    }
    return true;
  };
}

function compile(handlers: readonly ApiRouteHandler[]): CompiledRoute[] {
  const byRoute = new Map<string, CompiledRoute>();
  for (const h of handlers) {
    let c = byRoute.get(h.spec.route);
    if (!c) {
      const source = h.spec.route
        .split("/")
        .map((seg) => (/^\[[^\]]+\]$/.test(seg) ? "([^/]+)" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      c = { pattern: new RegExp(`^${source}$`), names: pathParamNames(h.spec.route), byMethod: new Map() };
      byRoute.set(h.spec.route, c);
    }
    c.byMethod.set(h.spec.method, h);
  }
  // Literal segments win over parameters (/flags/x/y/archive before /flags/[a]/[b]/[c]) by trying
  // routes with fewer parameters first.
  return [...byRoute.values()].sort((a, b) => a.names.length - b.names.length);
}

function findRoute(routes: CompiledRoute[], path: string): { route: CompiledRoute; params: Record<string, string> } | null {
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    } catch {
      continue; // malformed %-escape: not a path we serve
    }
    return { route, params };
  }
  return null;
}

/**
 * The request body as bytes, read only when the handler asks for it: withApi resolves the caller
 * before it parses a body, so a request without valid credentials is answered (401) without a byte
 * of its body read, and a slow sender holds nothing (the connection is then closed, see above).
 * Reads at most one byte past `limit` (a declared Content-Length over it is not read at all): the
 * handler's readJsonBody then answers 413 exactly as under Next.js. How long a body may take is the
 * server's requestTimeout (workers/stream-server/server.ts), which also covers headers.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "");
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(Buffer.alloc(limit + 1));
  if (req.complete && req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: ServiceError) => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      // Past the limit: stop reading (not destroy) so the 413 can still be sent; the caller
      // then closes the connection.
      if (size > limit) req.pause();
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) finish();
    };
    const onEnd = () => finish();
    // The client went away or the server's deadline cut the connection: nothing to answer, and
    // not an internal error to log.
    const onError = () => finish(new ServiceError("bad_request", "The request body could not be read"));
    const onClose = () => onError();
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/**
 * The request as withApi needs it, read straight off the IncomingMessage (no Fetch Request,
 * Headers, body stream or AbortSignal to build per call). The Cookie header reads as absent.
 */
function toApiRequest(req: IncomingMessage, method: string, peer: string | undefined): ApiRequest {
  const raw = req.headers;
  const extra: Record<string, string> = {};
  // Without a proxy in front, the peer address is the client's (audit rows record it).
  if (raw["x-forwarded-for"] === undefined && raw["x-real-ip"] === undefined && peer) extra["x-real-ip"] = peer.replace(/^::ffff:/, "");
  const headers: HeaderReader = {
    get(name) {
      const n = name.toLowerCase();
      if (n === "cookie") return null;
      const v = extra[n] ?? raw[n];
      if (v === undefined) return null;
      return Array.isArray(v) ? v.join(", ") : v;
    },
  };
  const bodyless = method === "GET" || method === "HEAD";
  return {
    method,
    url: `http://${raw.host ?? "localhost"}${req.url ?? "/"}`,
    headers,
    bodyBytes: (limit) => (bodyless ? Promise.resolve(Buffer.alloc(0)) : readBody(req, limit)),
  };
}

async function sendResponse(res: ServerResponse, response: Response, headOnly: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = { ...SECURITY_HEADERS };
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  if (headOnly || !response.body) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const ct = response.headers.get("content-type") ?? "";
  if (ct.startsWith("application/json")) {
    const body = Buffer.from(await response.arrayBuffer());
    headers["content-length"] = String(body.length);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  // Streamed bodies (audit export): pass through with backpressure.
  res.writeHead(response.status, headers);
  await new Promise<void>((resolve) => {
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
    body.on("error", () => res.destroy());
    res.on("close", () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

function sendError(res: ServerResponse, err: ServiceError, extra: Record<string, string>, status?: number): void {
  const out = toErrorResponse(err);
  res.writeHead(status ?? out.status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8", ...extra });
  res.end(JSON.stringify(out.body));
}
