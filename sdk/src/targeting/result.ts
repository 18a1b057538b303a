import type { JsonValue } from "../types";
import type { Payload } from "./model";

/** OpenFeature's reasons; ERROR only when evaluation itself failed (it never throws). */
export type EvaluationReason = "TARGETING_MATCH" | "SPLIT" | "DEFAULT" | "STATIC" | "DISABLED" | "ERROR";

/**
 * PREREQUISITE_MISSING / PREREQUISITE_CYCLE: a prerequisite could not be evaluated (the flag is
 * DISABLED, as Unleash does for a missing parent); GENERAL: an unexpected failure.
 */
export type EvaluationErrorCode = "PREREQUISITE_MISSING" | "PREREQUISITE_CYCLE" | "GENERAL";

export interface EvaluationResult {
  value: JsonValue;
  reason: EvaluationReason;
  /** The served variant's name (reason SPLIT). */
  variant?: string;
  payload?: Payload;
  /** Index of the rule that decided (TARGETING_MATCH, SPLIT). */
  ruleIndex?: number;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
}

/** Results are shared and frozen: evaluation allocates nothing on its hot path. */
export function frozen(result: EvaluationResult): EvaluationResult {
  return Object.freeze(result);
}
