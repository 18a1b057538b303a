import { valueHandlers } from "@/lib/values/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = valueHandlers.setValues;
