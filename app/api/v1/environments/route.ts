import { environmentHandlers } from "@/lib/environments/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = environmentHandlers.list;
export const POST = environmentHandlers.create;
