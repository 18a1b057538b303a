import { sdkWebRoutes } from "@/lib/delivery/web-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = sdkWebRoutes.flags;
export const OPTIONS = sdkWebRoutes.preflight;
