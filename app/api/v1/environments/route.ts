import { environmentHandlers } from "@/lib/http/handlers/environments";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = environmentHandlers.list;
export const POST = environmentHandlers.create;
