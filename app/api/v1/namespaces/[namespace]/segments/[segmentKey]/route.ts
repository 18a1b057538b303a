import { segmentHandlers } from "@/lib/segments/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = segmentHandlers.getSegment;
export const PATCH = segmentHandlers.updateSegment;
export const DELETE = segmentHandlers.deleteSegment;
