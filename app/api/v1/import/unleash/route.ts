import { importHandlers } from "@/lib/import/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = importHandlers.importUnleash;
