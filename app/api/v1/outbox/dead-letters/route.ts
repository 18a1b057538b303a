import { outboxHandlers } from "@/lib/outbox/api";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = outboxHandlers.deadLetters;
