import { consoleHandlers } from "@/lib/console/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = consoleHandlers.realtimeStats;
