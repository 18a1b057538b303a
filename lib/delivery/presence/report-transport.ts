import type { IncomingMessage, ServerResponse } from "node:http";
import { ServiceError } from "../../errors/service-error";
import { REPORT_PREFLIGHT_HEADERS, methodNotAllowed } from "../stream/http-shape";
import type { SdkRequest } from "../stream/request-credentials";
import type { StreamCore } from "../stream/stream-core";

/**
 * Both transports of POST /api/sdk/v1/report (the logic is in client-report.ts): a web Request for
 * the Next.js route handler, an IncomingMessage for the sidecar stream server. Bodies are read with
 * a byte limit and a deadline, so a slow or huge upload cannot hold memory or a request open.
 */
const BODY_TIMEOUT_MS = 5_000;

const tooSlow = () => new ServiceError("bad_request", "The report body did not arrive in time");
const unreadable = () => new ServiceError("bad_request", "The report body could not be read");

export async function readWebBody(request: Request, limit: number): Promise<Uint8Array> {
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

/**
 * Deadlines of the node:http body reads in progress, checked by one shared sweep rather than a
 * timer per request (OFREP and report requests each read a body: a timer armed and cleared per
 * request was a measurable part of their cost). A read fails between BODY_TIMEOUT_MS and
 * BODY_TIMEOUT_MS + SWEEP_MS after it started; the sweep runs only while reads are waiting.
 */
const SWEEP_MS = 250;
const waiting = new Map<() => void, number>();
let sweeper: NodeJS.Timeout | null = null;

function sweepDeadlines(): void {
  const now = Date.now();
  for (const [expire, deadline] of waiting) if (deadline <= now) expire();
  if (waiting.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = null;
  }
}

export function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "");
  if (declared > limit) return Promise.resolve(new Uint8Array(limit + 1));
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (err?: Error) => {
      waiting.delete(expire);
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
    const expire = () => finish(tooSlow());
    waiting.set(expire, Date.now() + BODY_TIMEOUT_MS);
    sweeper ??= setInterval(sweepDeadlines, SWEEP_MS).unref();
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  // A small body usually arrives in one chunk: no copy then.
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
