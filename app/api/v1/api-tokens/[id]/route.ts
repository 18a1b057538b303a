import { apiTokenHandlers } from "@/lib/api-tokens/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const DELETE = apiTokenHandlers.revoke;
