import { sdkWebRoutes } from "@/lib/delivery/web-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = sdkWebRoutes.report;
export const OPTIONS = sdkWebRoutes.reportPreflight;
