import { segmentHandlers } from "@/lib/segments/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = segmentHandlers.rollbackSegment;
