/**
 * `@mizuflow/sdk/targeting`: the targeting engine's evaluation API and types (the same module the
 * server and the console preview run; no zod, no I/O), and `targetingEngine`, which a browser
 * client takes as its `targeting` option to evaluate rules locally:
 *
 *   import { createClient } from "@mizuflow/sdk";
 *   import { targetingEngine } from "@mizuflow/sdk/targeting";
 *   const client = createClient({ url, sdkKey, targeting: targetingEngine });
 */
import { compileFlag, compileSegments, evaluate, type CompiledFlag, type FlagLookup, type SegmentsByKey } from "../targeting/engine";
import type { FlagTargeting, Segment } from "../targeting/model";
import type { EngineResult, TargetingEngine } from "./engine-port";

export * from "../targeting/engine";
export type { EngineResult, TargetingEngine } from "./engine-port";
export type { SegmentEntry, WireConstraint, WireTargeting } from "./wire";

export const targetingEngine: TargetingEngine = {
  compileSegments: (segments) => compileSegments(segments as unknown as readonly Segment[]),
  compileFlag: (flag, segments) => compileFlag(flag as FlagTargeting, segments as SegmentsByKey),
  evaluate: (flag, context, lookup) => evaluate(flag as CompiledFlag, context, lookup as FlagLookup) as EngineResult,
};
