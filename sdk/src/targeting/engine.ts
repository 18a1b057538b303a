/**
 * The evaluation-only entry, for SDK bundles: compile and evaluate already-validated targeting.
 * It pulls no zod (validation lives in index.ts), which keeps browser bundles small.
 */
export type { Constraint, FlagTargeting, Payload, Prerequisite, Rule, Segment, Variant } from "./model";
export type { EvaluationContext } from "./context";
export type { EvaluationReason, EvaluationErrorCode, EvaluationResult } from "./result";
export { compileFlag, compileSegments, type CompiledFlag, type SegmentsByKey } from "./compile";
export { evaluate, isOn, type FlagLookup } from "./evaluate";
export { createFlagSet, type FlagSet } from "./flag-set";
