import { flagHandlers } from "@/lib/http/handlers/flags";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = flagHandlers.list;
export const POST = flagHandlers.create;
