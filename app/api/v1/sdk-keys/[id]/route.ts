import { sdkKeyHandlers } from "@/lib/http/handlers/sdk-keys";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const DELETE = sdkKeyHandlers.revoke;
