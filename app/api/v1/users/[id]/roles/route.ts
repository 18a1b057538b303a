import { userHandlers } from "@/lib/http/handlers/users";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const PUT = userHandlers.grantRole;
export const DELETE = userHandlers.revokeRole;
