import { z } from "zod";
import { DeadLetterViewSchema, OutboxStatsViewSchema, RetryDeadLettersSchema } from "../../services/outbox/schemas";
import { defineRoute } from "../route-spec";

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
    tag,
    summary: "Put dead-lettered rows back in the queue (all, or the given ids); audited",
    body: RetryDeadLettersSchema,
    response: z.object({ retried: z.number().int(), ids: z.array(z.number().int()) }),
  }),
};
