import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "../db/client";
import { clientAddress } from "../delivery/stream/client-address";
import { methodNotAllowed, SDK_REPORT_PATH, type HttpReply } from "../delivery/stream/http-shape";
import { readNodeBody, readWebBody } from "../delivery/presence/report-transport";
import type { StreamCore } from "../delivery/stream/stream-core";
import { toSdkRequest } from "../delivery/stream/web-adapter";
import { handleReport, reportPreflight } from "./report-cors";

/** The two transports of the per-key-CORS report endpoint (report-cors.ts): Next.js and node:http. */
function toResponse(reply: HttpReply): Response {
  return new Response(reply.status === 204 ? null : reply.body, { status: reply.status, headers: reply.headers });
}

export function reportPreflightResponse(request: Request): Response {
  return toResponse(reportPreflight(request.headers.get("origin")));
}

export async function reportResponse(core: StreamCore, db: Db, request: Request): Promise<Response> {
  return toResponse(await handleReport(core, db, toSdkRequest(request, core.trustProxy), (limit) => readWebBody(request, limit)));
}

/** Serves POST/OPTIONS /api/sdk/v1/report on the worker's node:http server; false for other paths. */
export function createNodeReportHandler(core: StreamCore, db: Db) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return false;
    }
    if (url.pathname !== SDK_REPORT_PATH) return false;
    const header = (name: string) => {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    };
    let reply: HttpReply;
    if (req.method === "OPTIONS") reply = reportPreflight(header("origin"));
    else if (req.method !== "POST") reply = methodNotAllowed("POST");
    else {
      const xff = req.headers["x-forwarded-for"];
      const address = clientAddress(req.socket.remoteAddress, Array.isArray(xff) ? xff.join(",") : (xff ?? null), core.trustProxy);
      reply = await handleReport(core, db, { header, query: url.searchParams, address }, (limit) => readNodeBody(req, limit));
    }
    // A body we did not read to the end makes the connection unusable for the next request.
    const headers = req.complete ? reply.headers : { ...reply.headers, connection: "close" };
    res.writeHead(reply.status, headers);
    res.end(reply.status === 204 ? undefined : reply.body);
    return true;
  };
}
