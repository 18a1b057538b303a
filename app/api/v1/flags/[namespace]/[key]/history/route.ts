import { auditHandlers } from "@/lib/http/handlers/audit";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = auditHandlers.flagHistory;
