import { z } from "zod";
import { ConstraintSchema, LIMITS } from "../../sdk/src/targeting";
import { keySchema, nameSchema, reasonSchema, versionSchema } from "../validation/common";

/**
 * Input schemas of the segment verbs (issue 14); the admin API and the OpenAPI document use these
 * same objects. Constraints are checked structurally here and strictly (semver, dates, regexes,
 * CIDRs, numbers) by the verb with the engine's StrictSegmentSchema, so a 422 names e.g.
 * `constraints.0.value`.
 */
export const SegmentRefSchema = z.object({ namespace: keySchema, segmentKey: keySchema }).strict();

const constraints = z.array(ConstraintSchema).max(LIMITS.constraintsPerRule);

export const CreateSegmentSchema = z
  .object({
    namespace: keySchema,
    key: keySchema,
    name: nameSchema.optional(),
    constraints: constraints.describe("All must hold for a context to be in the segment"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const UpdateSegmentSchema = z
  .object({
    namespace: keySchema,
    segmentKey: keySchema,
    name: nameSchema.nullable().optional(),
    constraints: constraints.optional(),
    expectedVersion: versionSchema.optional().describe("Fails with 409 if the segment's version differs"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const DeleteSegmentSchema = z
  .object({
    namespace: keySchema,
    segmentKey: keySchema,
    expectedVersion: versionSchema.optional(),
    reason: reasonSchema.optional(),
  })
  .strict();

export const ListSegmentsSchema = z.object({ namespace: keySchema }).strict();

export const SegmentViewSchema = z.object({
  namespace: z.string(),
  key: z.string(),
  name: z.string().nullable(),
  constraints: z.array(z.record(z.string(), z.unknown())),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SegmentView = z.infer<typeof SegmentViewSchema>;

/** One page of a segment's audited versions (what rollback can restore). */
export const SegmentVersionsSchema = SegmentRefSchema.extend({
  cursor: z.number().int().positive().optional().describe("The nextCursor of the previous page"),
  limit: z.number().int().min(1).max(500).default(100).describe("Most versions in the page"),
});

export const RollbackSegmentSchema = SegmentRefSchema.extend({
  toVersion: versionSchema.describe("The earlier version whose name and constraints are saved again"),
  expectedVersion: versionSchema.optional().describe("Fails with 409 if the segment's version differs"),
  reason: reasonSchema.optional(),
});

/** One audited version of a segment, as rollback offers it. */
export const SegmentVersionSchema = z.object({
  version: z.number().int(),
  name: z.string().nullable(),
  constraints: z.array(z.record(z.string(), z.unknown())),
  eventId: z.number().int().describe("The audit event that created this version"),
  action: z.string(),
  actorName: z.string(),
  occurredAt: z.string(),
});
export type SegmentVersion = z.infer<typeof SegmentVersionSchema>;
