import { userHandlers } from "@/lib/http/handlers/users";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = userHandlers.list;
export const POST = userHandlers.create;
