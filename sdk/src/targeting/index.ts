/**
 * MizuFlow's targeting engine: one module for the SDK (Node and browsers) and the server. Pure: no
 * I/O, no Node built-ins, no framework imports.
 */
export * from "./model";
export type { EvaluationContext } from "./context";
export type { EvaluationReason, EvaluationErrorCode, EvaluationResult } from "./result";
export { compileFlag, compileSegments, type CompiledFlag, type SegmentsByKey } from "./compile";
export { evaluate, isOn, type FlagLookup } from "./evaluate";
export { createFlagSet, type FlagSet } from "./flag-set";
export { StrictFlagTargetingSchema, StrictSegmentSchema, parseLenient, type LenientParse } from "./strict-schema";
export { flagIssues, segmentIssues, referenceIssues, type TargetingIssue } from "./checks";
export { findPrerequisiteCycle, cycleAfterSave } from "./prerequisite-graph";
export { gateBucket, variantBucket } from "./bucketing";
export { translateUnleash, type ImportPlan, type ImportedFlag, type ImportResult } from "./unleash/translate";
export type { ImportNote } from "./unleash/report";
