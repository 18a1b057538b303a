import { flagHandlers } from "@/lib/flags/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = flagHandlers.list;
export const POST = flagHandlers.create;
