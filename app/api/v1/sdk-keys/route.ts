import { sdkKeyHandlers } from "@/lib/sdk-keys/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = sdkKeyHandlers.list;
export const POST = sdkKeyHandlers.create;
