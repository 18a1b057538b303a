import type { EvaluationContext } from "../targeting/context";
import type { JsonValue } from "../types";
import type { SegmentEntry } from "./wire";

export type { EvaluationContext } from "../targeting/context";

/** OpenFeature's reasons, as the engine returns them (sdk/src/targeting/result.ts). */
export type EngineReason = "TARGETING_MATCH" | "SPLIT" | "DEFAULT" | "STATIC" | "DISABLED" | "ERROR";

export interface EngineResult {
  value: JsonValue;
  reason: EngineReason;
  variant?: string;
  payload?: { type: string; value: string };
  ruleIndex?: number;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * What the client needs of the targeting engine, with opaque compiled handles. The client takes
 * it as an option instead of importing the engine, so the universal entry stays a few KB for
 * pages without rules; `@mizuflow/sdk/targeting` exports `targetingEngine`, and the Node entry and
 * the OpenFeature providers pass it by default.
 */
export interface TargetingEngine {
  compileSegments(segments: readonly SegmentEntry[]): unknown;
  /** `flag`: the engine's FlagTargeting (see wire.ts `engineFlag`). May throw on a bad structure. */
  compileFlag(flag: object, segments: unknown): unknown;
  evaluate(flag: unknown, context: EvaluationContext, lookup: (key: string) => unknown): EngineResult;
}
