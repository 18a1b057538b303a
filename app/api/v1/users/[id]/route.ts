import { userHandlers } from "@/lib/http/handlers/users";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = userHandlers.get;
export const PATCH = userHandlers.update;
