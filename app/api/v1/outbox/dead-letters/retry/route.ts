import { withApi } from "@/lib/http/with-api";
import { outboxRoutes } from "@/lib/http/routes";
import { retryDeadLetters } from "@/lib/services/outbox/dead-letters";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = withApi(outboxRoutes.retry, ({ ctx, body }) => retryDeadLetters({ ctx, input: body }));
