import { apiTokenHandlers } from "@/lib/api-tokens/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = apiTokenHandlers.list;
export const POST = apiTokenHandlers.create;
