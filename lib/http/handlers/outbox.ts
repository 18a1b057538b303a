import { withApi } from "../with-api";
import { outboxRoutes } from "../routes";
import { listDeadLetters, retryDeadLetters } from "../../services/outbox/dead-letters";
import { outboxStats } from "../../services/outbox/outbox-stats";

/** The outbox endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const outboxHandlers = {
  retry: withApi(outboxRoutes.retry, ({ ctx, body }) => retryDeadLetters({ ctx, input: body })),
  deadLetters: withApi(outboxRoutes.deadLetters, ({ ctx, query }) => listDeadLetters({ ctx, input: query })),
  stats: withApi(outboxRoutes.stats, ({ ctx }) => outboxStats({ ctx })),
};
