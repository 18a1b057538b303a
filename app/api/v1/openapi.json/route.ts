import { systemHandlers } from "@/lib/system/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = systemHandlers.openapi;
