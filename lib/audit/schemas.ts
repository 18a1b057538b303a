import { z } from "zod";
import { ACTOR_TYPES } from "../db/schema";
import { keySchema, reasonSchema, versionSchema } from "../validation/common";

const isoDate = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).or(z.iso.date({ error: "must be a date (YYYY-MM-DD)" }));

/** Filters shared by the audit list, the exports and the per-flag history. */
export const AuditFilterSchema = z
  .object({
    namespace: keySchema.optional(),
    environment: keySchema.optional(),
    flag: keySchema.optional(),
    actor: z.string().trim().min(1).max(200).optional().describe("Actor name (e-mail, token or system name); matches a prefix"),
    action: z.string().trim().regex(/^[a-z_.]{1,64}$/, "must be an action name such as flag_value.set").optional(),
    from: isoDate.optional().describe("Inclusive start of the time range"),
    to: isoDate.optional().describe("Exclusive end of the time range (a date alone means the end of that day)"),
  })
  .strict();

export const ListAuditSchema = AuditFilterSchema.extend({
  cursor: z.number().int().positive().optional().describe("The nextCursor of the previous page"),
  limit: z.number().int().min(1).max(500).default(50),
});

export const ExportAuditSchema = AuditFilterSchema.extend({
  format: z.enum(["csv", "json"]).default("csv"),
  limit: z.number().int().min(1).max(100_000).default(50_000),
});

export const FlagHistorySchema = z.object({ namespace: keySchema, key: keySchema }).strict();

const cursorSchema = z.number().int().positive().optional().describe("The nextCursor of the previous page");

/** One page of a flag's history; the default keeps callers that predate paging on their 500 newest events. */
export const FlagHistoryPageSchema = FlagHistorySchema.extend({
  cursor: cursorSchema,
  limit: z.number().int().min(1).max(500).default(500),
});

/** One page of a flag's audited value versions (optionally of one environment). */
export const FlagVersionsSchema = FlagHistorySchema.extend({
  environment: keySchema.optional(),
  cursor: cursorSchema,
  limit: z.number().int().min(1).max(500).default(100).describe("Most versions in the page"),
});

export const RollbackFlagValueSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    environment: keySchema,
    toVersion: versionSchema.describe("The earlier version whose value is set again"),
    expectedVersion: versionSchema.optional().describe("Fails with 409 if the current version differs"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const AuditEventViewSchema = z.object({
  id: z.number().int(),
  occurredAt: z.string(),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().nullable(),
  actorName: z.string(),
  ip: z.string().nullable(),
  traceId: z.string().nullable(),
  action: z.string().describe("e.g. flag_value.set, role.grant"),
  targetType: z.string(),
  targetId: z.number().int().nullable(),
  namespace: z.string().nullable().describe("null: a system-wide event (users, environments...)"),
  environment: z.string().nullable(),
  flag: z.string().nullable(),
  before: z.unknown().describe("The target before the change (JSON), null for creations"),
  after: z.unknown().describe("The target after the change (JSON), null for deletions"),
  reason: z.string().nullable(),
});

/** One audited value of a flag in one environment, as rollback offers it. */
export const ValueVersionSchema = z.object({
  environment: z.string(),
  version: z.number().int(),
  value: z.unknown(),
  eventId: z.number().int().describe("The audit event that created this version"),
  action: z.string(),
  actorName: z.string(),
  occurredAt: z.string(),
});

export type AuditEventView = z.infer<typeof AuditEventViewSchema>;
export type ValueVersion = z.infer<typeof ValueVersionSchema>;
