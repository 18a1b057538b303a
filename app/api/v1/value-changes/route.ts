import { flagHandlers } from "@/lib/http/handlers/flags";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = flagHandlers.setValues;
