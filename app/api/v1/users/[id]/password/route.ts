import { userHandlers } from "@/lib/users/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const PUT = userHandlers.setPassword;
