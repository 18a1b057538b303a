import { getProcessDelivery } from "@/lib/delivery/process-delivery";
import { flagsResponse, preflightResponse } from "@/lib/delivery/web-adapter";

/** The SDK key's snapshot as JSON, with an ETag (If-None-Match answers 304). */
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return flagsResponse(getProcessDelivery().core, request);
}

export function OPTIONS(): Response {
  return preflightResponse();
}
