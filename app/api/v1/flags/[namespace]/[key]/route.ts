import { flagHandlers } from "@/lib/http/handlers/flags";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = flagHandlers.get;
export const PATCH = flagHandlers.update;
export const DELETE = flagHandlers.delete;
