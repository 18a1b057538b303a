import { getProcessDelivery } from "@/lib/delivery/process-delivery";
import { reportPreflightResponse, reportResponse } from "@/lib/delivery/report-transport";

/** An SDK reports the revision it has applied (204). Auth, validation and presence: lib/delivery/client-report.ts. */
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return reportResponse(getProcessDelivery().core, request);
}

export function OPTIONS(): Response {
  return reportPreflightResponse();
}
