import { withApi } from "@/lib/http/with-api";
import { outboxRoutes } from "@/lib/http/routes";
import { listDeadLetters } from "@/lib/services/outbox/dead-letters";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(outboxRoutes.deadLetters, ({ ctx, query }) => listDeadLetters({ ctx, input: query }));
