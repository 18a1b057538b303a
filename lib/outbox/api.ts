import { z } from "zod";
import { DeadLetterViewSchema, OutboxStatsViewSchema, RetryDeadLettersSchema } from "./schemas";
import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { listDeadLetters, retryDeadLetters } from "./dead-letters";
import { outboxStats } from "./outbox-stats";

const tag = "outbox";

const DeadLettersQuerySchema = z
  .object({
    afterId: z.coerce.number({ error: "must be an integer" }).int().min(0).optional(),
    limit: z.coerce.number({ error: "must be an integer" }).int().min(1).max(500).optional(),
  })
  .strict();

export const outboxRoutes = {
  stats: defineRoute({
    route: "/api/v1/outbox",
    method: "GET",
    tag,
    summary: "Outbox health: pending rows, age of the oldest pending row, dead-lettered rows",
    response: OutboxStatsViewSchema,
  }),
  deadLetters: defineRoute({
    route: "/api/v1/outbox/dead-letters",
    method: "GET",
    tag,
    summary: "List dead-lettered outbox rows (super-admins)",
    query: DeadLettersQuerySchema,
    response: z.object({ items: z.array(DeadLetterViewSchema), nextAfterId: z.number().int().nullable() }),
  }),
  retry: defineRoute({
    route: "/api/v1/outbox/dead-letters/retry",
    method: "POST",
    idempotent: true,
    tag,
    summary: "Put dead-lettered rows back in the queue (all, or the given ids); audited",
    body: RetryDeadLettersSchema,
    response: z.object({ retried: z.number().int(), ids: z.array(z.number().int()) }),
  }),
};

/** The outbox endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const outboxHandlers = {
  retry: withApi(outboxRoutes.retry, ({ ctx, body }) => retryDeadLetters({ ctx, input: body })),
  deadLetters: withApi(outboxRoutes.deadLetters, ({ ctx, query }) => listDeadLetters({ ctx, input: query })),
  stats: withApi(outboxRoutes.stats, ({ ctx }) => outboxStats({ ctx })),
};
