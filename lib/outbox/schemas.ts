import { z } from "zod";
import { reasonSchema } from "../validation/common";

/** Input schemas of the outbox verbs; the admin API and the OpenAPI document use these same objects. */
export const ListDeadLettersSchema = z
  .object({
    afterId: z.number().int().min(0).optional().describe("Keyset cursor: the last id of the previous page"),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export const RetryDeadLettersSchema = z
  .object({
    ids: z.array(z.number().int().min(1)).min(1).max(1000).optional().describe("Rows to retry; omit to retry every dead row"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const DeadLetterViewSchema = z.object({
  id: z.number().int(),
  etcdKey: z.string(),
  op: z.enum(["put", "delete"]),
  version: z.number().int(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  payload: z.unknown(),
  createdAt: z.string(),
  lastAttemptAt: z.string(),
});
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;

export const OutboxStatsViewSchema = z.object({
  pending: z.number().int(),
  oldestPendingSeconds: z.number(),
  dead: z.number().int(),
});
export type OutboxStatsView = z.infer<typeof OutboxStatsViewSchema>;
