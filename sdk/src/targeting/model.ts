import { z } from "zod";
import { FLAG_TYPES, LIMITS, OPERATORS } from "./constants";

/**
 * The targeting model of one flag in one environment: the shape that is stored, streamed and
 * compiled. These schemas check structure only; `strict-schema.ts` adds the value checks (semver,
 * dates, regexes, CIDRs, numbers, references) that a save must pass and an import may not.
 */

export { FLAG_TYPES, LIMITS, LIST_OPERATORS, NO_VARIANT, OPERATORS, type FlagType, type Operator } from "./constants";

const contextName = z.string().min(1).max(LIMITS.keyLength);
const key = z.string().min(1).max(LIMITS.keyLength);
/** "default" (userId, then sessionId, then random), "random", or any context field. */
const stickiness = z.string().min(1).max(LIMITS.keyLength);

export const ConstraintSchema = z.strictObject({
  contextName,
  operator: z.enum(OPERATORS),
  values: z.array(z.string().max(LIMITS.valueLength)).max(LIMITS.valuesPerConstraint).optional(),
  value: z.string().max(LIMITS.valueLength).optional(),
  inverted: z.boolean().optional(),
  caseInsensitive: z.boolean().optional(),
});
export type Constraint = z.infer<typeof ConstraintSchema>;

export const SegmentSchema = z.strictObject({
  key,
  name: z.string().max(LIMITS.keyLength).optional(),
  constraints: z.array(ConstraintSchema).max(LIMITS.constraintsPerRule),
});
export type Segment = z.infer<typeof SegmentSchema>;

/** Unleash-style payload carried by a variant next to its value (optional). */
export const PayloadSchema = z.strictObject({
  type: z.string().min(1).max(50),
  value: z.string(),
});
export type Payload = z.infer<typeof PayloadSchema>;

export const VariantSchema = z.strictObject({
  name: key,
  value: z.json(),
  payload: PayloadSchema.optional(),
});
export type Variant = z.infer<typeof VariantSchema>;

/** Contexts whose field equals one of `values` get this variant, before any weighting. */
export const OverrideSchema = z.strictObject({
  contextName,
  values: z.array(z.string().max(LIMITS.valueLength)).max(LIMITS.valuesPerConstraint),
});

export const SplitEntrySchema = z.strictObject({
  variant: key,
  weight: z.number().int().min(0).max(1_000_000),
  overrides: z.array(OverrideSchema).max(LIMITS.constraintsPerRule).optional(),
});

export const SplitSchema = z.strictObject({
  variants: z.array(SplitEntrySchema).min(1).max(LIMITS.variantsPerFlag),
  stickiness: stickiness.optional(),
  /** Hash namespace; defaults to the flag's key. */
  groupId: z.string().max(LIMITS.keyLength).optional(),
});
export type Split = z.infer<typeof SplitSchema>;

export const GateSchema = z.strictObject({
  percentage: z.number().min(0).max(100),
  stickiness: stickiness.optional(),
  /** Hash namespace; defaults to the flag's key. Same groupId + same id = same bucket. */
  groupId: z.string().max(LIMITS.keyLength).optional(),
});
export type Gate = z.infer<typeof GateSchema>;

export const ServeSchema = z.union([
  z.strictObject({ value: z.json() }),
  z.strictObject({ split: SplitSchema }),
]);
export type Serve = z.infer<typeof ServeSchema>;

export const RuleSchema = z.strictObject({
  name: z.string().max(LIMITS.keyLength).optional(),
  constraints: z.array(ConstraintSchema).max(LIMITS.constraintsPerRule).default([]),
  segments: z.array(key).max(LIMITS.segmentsPerRule).default([]),
  gate: GateSchema.optional(),
  serve: ServeSchema,
});
export type Rule = z.infer<typeof RuleSchema>;

export const PrerequisiteSchema = z.strictObject({
  flag: key,
  /** true (default): the prerequisite must be on; false: it must be off. */
  enabled: z.boolean().default(true),
  /** When set, the prerequisite must serve one of these variants. */
  variants: z.array(key).max(LIMITS.variantsPerFlag).optional(),
});
export type Prerequisite = z.infer<typeof PrerequisiteSchema>;

export const FlagTargetingSchema = z.strictObject({
  key,
  type: z.enum(FLAG_TYPES),
  /** The environment's value: what a context gets when no rule matches. */
  value: z.json(),
  /** Off: every context gets `offValue` with reason DISABLED. */
  enabled: z.boolean().default(true),
  /** Served when off or a prerequisite fails; defaults to false (boolean) or `value`. */
  offValue: z.json().optional(),
  variants: z.array(VariantSchema).max(LIMITS.variantsPerFlag).default([]),
  rules: z.array(RuleSchema).max(LIMITS.rulesPerFlag).default([]),
  prerequisites: z.array(PrerequisiteSchema).max(LIMITS.prerequisitesPerFlag).default([]),
});
export type FlagTargeting = z.infer<typeof FlagTargetingSchema>;
export type FlagTargetingInput = z.input<typeof FlagTargetingSchema>;
