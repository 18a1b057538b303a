import type { IncomingMessage, ServerResponse } from "node:http";
import { ServiceError } from "../errors/service-error";
import { REPORT_PREFLIGHT_HEADERS, methodNotAllowed, type HttpReply } from "./http-shape";
import type { SdkRequest } from "./request-credentials";
import type { StreamCore } from "./stream-core";
import { toSdkRequest as fromFetch } from "./web-adapter";

/**
 * Both transports of POST /api/sdk/v1/report (the logic is in client-report.ts): a web Request for
 * the Next.js route handler, an IncomingMessage for the sidecar stream server. Bodies are read with
 * a byte limit and a deadline, so a slow or huge upload cannot hold memory or a request open.
 */
const BODY_TIMEOUT_MS = 5_000;

const tooSlow = () => new ServiceError("bad_request", "The report body did not arrive in time");
const unreadable = () => new ServiceError("bad_request", "The report body could not be read");

function toResponse(reply: HttpReply): Response {
  return new Response(reply.status === 204 ? null : reply.body, { status: reply.status, headers: reply.headers });
}

export function reportPreflightResponse(): Response {
  return new Response(null, { status: 204, headers: REPORT_PREFLIGHT_HEADERS });
}

export async function reportResponse(core: StreamCore, request: Request): Promise<Response> {
  return toResponse(await core.reports.handle(fromFetch(request), (limit) => readWebBody(request, limit)));
}

async function readWebBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (declared > limit || !request.body) return new Uint8Array(declared > limit ? limit + 1 : 0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const timer = setTimeout(() => void reader.cancel(tooSlow()).catch(() => {}), BODY_TIMEOUT_MS);
  try {
    while (total <= limit) {
      const { done, value } = await reader.read().catch(() => Promise.reject(unreadable()));
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    if (total > limit) await reader.cancel().catch(() => {});
  } finally {
    clearTimeout(timer);
  }
  return concat(chunks, total);
}

/**
 * Answers POST /api/sdk/v1/report (and its preflight) on a node:http server; node-adapter.ts
 * routes the path here with the request it already parsed.
 */
export async function serveNodeReport(core: StreamCore, req: IncomingMessage, res: ServerResponse, sdkRequest: SdkRequest): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, REPORT_PREFLIGHT_HEADERS);
    res.end();
    return;
  }
  const reply = req.method === "POST" ? await core.reports.handle(sdkRequest, (limit) => readNodeBody(req, limit)) : methodNotAllowed("POST");
  // A body we did not read to the end makes the connection unusable for the next request.
  const headers = req.complete ? reply.headers : { ...reply.headers, connection: "close" };
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 ? undefined : reply.body);
}

function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "");
  if (declared > limit) return Promise.resolve(new Uint8Array(limit + 1));
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      if (err) reject(err);
      else resolve(concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total > limit) {
        req.pause();
        finish();
      }
    };
    const onEnd = () => finish();
    const onError = () => finish(unreadable());
    const timer = setTimeout(() => finish(tooSlow()), BODY_TIMEOUT_MS);
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
