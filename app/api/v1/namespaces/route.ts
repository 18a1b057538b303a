import { namespaceHandlers } from "@/lib/namespaces/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = namespaceHandlers.list;
export const POST = namespaceHandlers.create;
