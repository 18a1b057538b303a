import { ruleHandlers } from "@/lib/rules/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = ruleHandlers.getTargeting;
export const PUT = ruleHandlers.setTargeting;
