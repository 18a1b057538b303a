import { flagHandlers } from "@/lib/flags/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = flagHandlers.get;
export const PATCH = flagHandlers.update;
export const DELETE = flagHandlers.delete;
