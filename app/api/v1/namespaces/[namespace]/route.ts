import { namespaceHandlers } from "@/lib/namespaces/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = namespaceHandlers.get;
export const PATCH = namespaceHandlers.update;
export const DELETE = namespaceHandlers.delete;
