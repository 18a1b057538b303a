import { flagHandlers } from "@/lib/flags/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = flagHandlers.archive;
