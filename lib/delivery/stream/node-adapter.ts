import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { PREFLIGHT_HEADERS, SDK_FLAGS_PATH, SDK_REPORT_PATH, SDK_STREAM_PATH, STREAM_HEADERS, errorReply, methodNotAllowed, type HttpReply } from "./http-shape";
import { serveNodeReport } from "../presence/report-transport";
import { clientAddress, type TrustProxy } from "./client-address";
import type { SdkRequest } from "./request-credentials";
import type { StreamSink } from "./stream-connection";
import type { StreamCore } from "./stream-core";

/**
 * HTTP/1.1 chunked framing of a frame, built once per frame: event and snapshot frames are shared
 * by every stream, so each stream costs one socket write of a ready buffer.
 */
const chunkedCache = new WeakMap<Buffer, Buffer>();
const CRLF = Buffer.from("\r\n");

function chunked(frame: Buffer): Buffer {
  let framed = chunkedCache.get(frame);
  if (!framed) {
    framed = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`), frame, CRLF]);
    chunkedCache.set(frame, framed);
  }
  return framed;
}

/**
 * node:http transport of the SDK endpoints (used by the worker's stream server).
 *
 * Once the headers are flushed, body bytes go straight to the socket, already framed: on a fan-out
 * to thousands of streams, ServerResponse.write (framing each write again, corking, a nextTick per
 * socket) costs more than the write itself. The framing stays exactly what ServerResponse would
 * produce, so `res.end()` still terminates the body correctly and keep-alive is unaffected.
 */
export class NodeSink implements StreamSink {
  private readonly socket: Socket | null;
  private readonly isChunked: boolean;
  constructor(private readonly res: ServerResponse) {
    res.flushHeaders();
    this.socket = res.socket;
    this.isChunked = res.chunkedEncoding;
  }
  write(chunk: Buffer): void {
    if (!this.socket || this.socket.destroyed) return;
    // HTTP/1.0 clients get no chunked encoding: the body simply ends with the connection.
    this.socket.write(this.isChunked ? chunked(chunk) : chunk);
  }
  buffered(): number {
    // Includes what sits in the socket's own buffer: the bytes the client has not taken.
    return this.res.writableLength;
  }
  close(abort: boolean): void {
    if (abort) this.res.destroy();
    else this.res.end();
  }
}

function toSdkRequest(req: IncomingMessage, url: URL, trust: TrustProxy): SdkRequest {
  const xff = req.headers["x-forwarded-for"];
  return {
    header: (name) => {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
    query: url.searchParams,
    address: clientAddress(req.socket.remoteAddress, Array.isArray(xff) ? xff.join(",") : (xff ?? null), trust),
  };
}

function send(res: ServerResponse, reply: HttpReply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

/**
 * Serves the SDK paths (stream, flags, report) on a node:http server. Returns false for any other path so the caller can
 * answer it (health, metrics, 404).
 */
export function createNodeSdkHandler(core: StreamCore) {
  const trustProxy = core.trustProxy;
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    // The parser lets absolute-form targets through (`GET http://[ HTTP/1.1`) that URL rejects:
    // that is the client's mistake, a 400, not a 500 and an error in the log.
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      send(res, errorReply("bad_request", "Malformed request target"));
      return true;
    }
    if (url.pathname === SDK_REPORT_PATH) {
      await serveNodeReport(core, req, res, toSdkRequest(req, url, trustProxy));
      return true;
    }
    const isStream = url.pathname === SDK_STREAM_PATH;
    if (!isStream && url.pathname !== SDK_FLAGS_PATH) return false;
    if (req.method === "OPTIONS") {
      res.writeHead(204, PREFLIGHT_HEADERS);
      res.end();
      return true;
    }
    if (req.method !== "GET") {
      send(res, methodNotAllowed());
      return true;
    }
    const admission = await core.admit(toSdkRequest(req, url, trustProxy), isStream ? "stream" : "flags");
    if (!admission.ok) {
      send(res, admission.reply);
      return true;
    }
    if (!isStream) {
      send(res, core.flags(admission, (req.headers["if-none-match"] as string | undefined) ?? null));
      return true;
    }
    // The client may have gone while its key was being checked.
    if (res.destroyed || req.socket.destroyed) return true;
    res.writeHead(200, STREAM_HEADERS);
    const conn = core.open(admission, new NodeSink(res));
    res.once("close", () => conn.close("client"));
    return true;
  };
}
