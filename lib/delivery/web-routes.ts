import { getDb } from "../db/client";
import { reportPreflightResponse, reportResponse } from "../report-cors/report-transports";
import { getProcessDelivery } from "./process-delivery";
import { flagsResponse, preflightResponse, streamResponse } from "./stream/web-adapter";

/**
 * The SDK endpoints as Next.js route handlers (app/api/sdk/v1/*, one line each), on this process's
 * watch hub and stream core. The sidecar serves the same endpoints through stream/node-adapter.ts.
 */
export const sdkWebRoutes = {
  /** SDK stream protocol v1 (SSE); auth, scope and resume live in stream/stream-core.ts. */
  stream: (request: Request): Promise<Response> => streamResponse(getProcessDelivery().core, request),
  /** The SDK key's snapshot as JSON, with an ETag (If-None-Match answers 304). */
  flags: (request: Request): Promise<Response> => flagsResponse(getProcessDelivery().core, request),
  preflight: (): Response => preflightResponse(),
  /** An SDK reports the revision it has applied (204): presence/client-report.ts, CORS per key in lib/report-cors. */
  report: (request: Request): Promise<Response> => reportResponse(getProcessDelivery().core, getDb(), request),
  reportPreflight: (request: Request): Response => reportPreflightResponse(request),
};
