import { outboxHandlers } from "@/lib/http/handlers/outbox";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = outboxHandlers.deadLetters;
