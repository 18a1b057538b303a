import { getProcessDelivery } from "@/lib/delivery/process-delivery";
import { preflightResponse, streamResponse } from "@/lib/delivery/web-adapter";

/** SDK stream protocol v1 (SSE). Auth, scope and resume live in lib/delivery/stream-core.ts. */
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return streamResponse(getProcessDelivery().core, request);
}

export function OPTIONS(): Response {
  return preflightResponse();
}
