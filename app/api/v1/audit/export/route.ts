import { auditHandlers } from "@/lib/audit/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = auditHandlers.export;
