import { sdkKeyHandlers } from "@/lib/http/handlers/sdk-keys";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = sdkKeyHandlers.list;
export const POST = sdkKeyHandlers.create;
