import { ofrepWebRoute } from "@/lib/ofrep/process-ofrep";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export { ofrepWebRoute as GET, ofrepWebRoute as POST, ofrepWebRoute as OPTIONS };
