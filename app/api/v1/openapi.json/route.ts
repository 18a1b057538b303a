import { systemHandlers } from "@/lib/http/handlers/system";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = systemHandlers.openapi;
