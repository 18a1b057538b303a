import { namespaceHandlers } from "@/lib/http/handlers/namespaces";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = namespaceHandlers.list;
export const POST = namespaceHandlers.create;
