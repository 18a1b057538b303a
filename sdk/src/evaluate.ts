import type { FlagStore } from "./flag-store";
import type { EvaluationContext } from "./local-eval/engine-port";
import type { LocalEvaluator } from "./local-eval/local-evaluator";
import type { ClientState, FlagEntry, FlagType, JsonValue, Resolution } from "./types";
import { valueMatchesType as matches } from "./value-type";

function mismatch<T>(entry: FlagEntry, expected: FlagType, defaultValue: T, what = "flag"): Resolution<T> {
  return {
    value: defaultValue,
    reason: "ERROR",
    errorCode: "TYPE_MISMATCH",
    errorMessage: `${what} '${entry.namespace}/${entry.key}' is a ${entry.type} flag, read as ${expected}`,
    version: entry.version,
    flagType: entry.type,
  };
}

/**
 * Resolves one flag against the expected type, for a context (docs/TARGETING.md "Context"). Never
 * throws: every failure is the caller's default plus a reason, so a typo or a type change in the
 * console cannot crash an application. A flag without targeting is its value (STATIC, or CACHED
 * while not in sync) exactly as before targeting existed; a flag with targeting is evaluated by
 * the engine locally (no network), with or without a context (none = an empty one).
 */
export function resolveFlag<T extends JsonValue>(
  store: FlagStore,
  state: ClientState,
  namespace: string,
  key: string,
  expected: FlagType,
  defaultValue: T,
  context?: EvaluationContext,
  evaluator?: LocalEvaluator,
): Resolution<T> {
  if (!store.hasData) {
    return { value: defaultValue, reason: "DEFAULT", errorCode: "PROVIDER_NOT_READY", errorMessage: "no flags loaded yet" };
  }
  const entry = store.get(namespace, key);
  if (!entry) {
    return {
      value: defaultValue,
      reason: "DEFAULT",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: `flag '${namespace}/${key}' is not served to this SDK key`,
    };
  }
  if (entry.type !== expected || !matches(expected, entry.value)) return mismatch(entry, expected, defaultValue);
  const staticReason = state === "ready" ? "STATIC" : "CACHED";
  if (entry.targeting === undefined || !evaluator) {
    return { value: entry.value as T, reason: staticReason, version: entry.version, flagType: entry.type };
  }
  let r;
  try {
    r = evaluator.evaluate(entry, context);
  } catch (err) {
    r = { value: entry.value, reason: "ERROR" as const, errorCode: "GENERAL", errorMessage: err instanceof Error ? err.message : "evaluation failed" };
  }
  const base = { version: entry.version, flagType: entry.type };
  if ("failure" in r) {
    if (r.failure === "NO_ENGINE") return { value: entry.value as T, reason: "DEFAULT", ...base };
    return { value: defaultValue, reason: "ERROR", errorCode: "PARSE_ERROR", errorMessage: r.message, ...base };
  }
  if (r.reason === "ERROR") {
    return { value: defaultValue, reason: "ERROR", errorCode: "GENERAL", errorMessage: r.errorMessage ?? "evaluation failed", ...base };
  }
  // A rule's value or a variant of another type (possible in imported, leniently parsed rules).
  if (!matches(expected, r.value)) return mismatch(entry, expected, defaultValue, "a rule of flag");
  const out: Resolution<T> = { value: r.value as T, reason: r.reason === "STATIC" ? staticReason : r.reason, ...base };
  if (r.variant !== undefined) out.variant = r.variant;
  if (r.payload !== undefined) out.payload = r.payload;
  if (r.ruleIndex !== undefined) out.ruleIndex = r.ruleIndex;
  // PREREQUISITE_MISSING / _CYCLE: the flag is DISABLED (its offValue), not an error of the call.
  if (r.errorMessage !== undefined) out.errorMessage = r.errorMessage;
  return out;
}

/**
 * `resolveFlag(...).value` without the Resolution: what the typed getters (`getBoolean`, ...)
 * return. Same decisions in the same order, minus the reason, so the hot path of an application
 * allocates nothing of the SDK's own; sdk/tests/client-getters.test.ts proves the two agree case by
 * case (not loaded, not found, type mismatch, static, rules, unreadable rules, no engine).
 */
export function resolveValue<T extends JsonValue>(
  store: FlagStore,
  namespace: string,
  key: string,
  expected: FlagType,
  defaultValue: T,
  context?: EvaluationContext,
  evaluator?: LocalEvaluator,
): T {
  const entry = store.hasData ? store.get(namespace, key) : undefined;
  if (entry === undefined || entry.type !== expected || !matches(expected, entry.value)) return defaultValue;
  if (entry.targeting === undefined || !evaluator) return entry.value as T;
  return targetedValue(entry, expected, defaultValue, context, evaluator);
}

/** The rules part of resolveValue, apart so the static path above stays small enough to inline. */
function targetedValue<T extends JsonValue>(entry: FlagEntry, expected: FlagType, defaultValue: T, context: EvaluationContext | undefined, evaluator: LocalEvaluator): T {
  let r;
  try {
    r = evaluator.evaluate(entry, context);
  } catch {
    return defaultValue; // resolveFlag: reason ERROR, the caller's default
  }
  if ("failure" in r) return r.failure === "NO_ENGINE" ? (entry.value as T) : defaultValue;
  return r.reason !== "ERROR" && matches(expected, r.value) ? (r.value as T) : defaultValue;
}
