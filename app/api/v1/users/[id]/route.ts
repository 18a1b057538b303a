import { userHandlers } from "@/lib/users/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = userHandlers.get;
export const PATCH = userHandlers.update;
