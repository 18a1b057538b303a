import { sdkWebRoutes } from "@/lib/delivery/web-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = sdkWebRoutes.stream;
export const OPTIONS = sdkWebRoutes.preflight;
