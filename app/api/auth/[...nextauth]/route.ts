import { nextAuthRoute } from "@/lib/auth/nextauth-route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export { nextAuthRoute as GET, nextAuthRoute as POST };
