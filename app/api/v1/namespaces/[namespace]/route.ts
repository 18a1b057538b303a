import { namespaceHandlers } from "@/lib/http/handlers/namespaces";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = namespaceHandlers.get;
export const PATCH = namespaceHandlers.update;
export const DELETE = namespaceHandlers.delete;
