import { apiTokenHandlers } from "@/lib/http/handlers/api-tokens";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = apiTokenHandlers.list;
export const POST = apiTokenHandlers.create;
