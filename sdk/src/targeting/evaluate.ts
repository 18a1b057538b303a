import type { CompiledFlag } from "./compile";
import type { EvaluationContext } from "./context";
import { NO_VARIANT } from "./constants";
import type { Prerequisite } from "./model";
import type { EvaluationErrorCode, EvaluationResult } from "./result";

/** Finds another flag of the same environment, for prerequisites. */
export type FlagLookup = (key: string) => CompiledFlag | undefined;

const NO_FLAGS: FlagLookup = () => undefined;

function disabledWith(flag: CompiledFlag, errorCode: EvaluationErrorCode, errorMessage: string): EvaluationResult {
  return { ...flag.disabled, errorCode, errorMessage };
}

/** "On" = not DISABLED and, for a boolean flag, serving true (Unleash's "enabled"). */
export function isOn(flag: CompiledFlag, result: EvaluationResult): boolean {
  return result.reason !== "DISABLED" && result.reason !== "ERROR" && (flag.type !== "boolean" || result.value === true);
}

function prerequisiteHolds(p: Prerequisite, parent: CompiledFlag, result: EvaluationResult): boolean {
  const on = isOn(parent, result);
  if (p.enabled === false) return !on;
  if (!on) return false;
  // NO_VARIANT names "on without a variant", as Unleash's "disabled" variant does.
  return p.variants === undefined || p.variants.length === 0 || p.variants.includes(result.variant ?? NO_VARIANT);
}

function run(flag: CompiledFlag, ctx: EvaluationContext, lookup: FlagLookup, path: string[] | undefined): EvaluationResult {
  if (!flag.enabled) return flag.disabled;
  const prerequisites = flag.prerequisites;
  if (prerequisites.length > 0) {
    const chain = path ?? [flag.key];
    for (const p of prerequisites) {
      if (chain.includes(p.flag)) {
        return disabledWith(flag, "PREREQUISITE_CYCLE", `prerequisite cycle: ${[...chain, p.flag].join(" -> ")}`);
      }
      const parent = lookup(p.flag);
      if (!parent) return disabledWith(flag, "PREREQUISITE_MISSING", `prerequisite '${p.flag}' does not exist`);
      chain.push(p.flag);
      const parentResult = run(parent, ctx, lookup, chain);
      chain.pop();
      if (parentResult.errorCode === "PREREQUISITE_CYCLE") return disabledWith(flag, "PREREQUISITE_CYCLE", parentResult.errorMessage ?? "");
      if (!prerequisiteHolds(p, parent, parentResult)) return flag.disabled;
    }
  }
  const rules = flag.rules;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.match !== undefined && !rule.match(ctx)) continue;
    if (rule.gate !== undefined && !rule.gate(ctx)) continue;
    const served = rule.serve(ctx);
    if (served !== undefined) return served;
  }
  return flag.fallThrough;
}

/**
 * Evaluates a compiled flag for a context. Order: off -> DISABLED; a prerequisite that does not
 * hold -> DISABLED; the first rule whose constraints, segments and gate all pass -> its value
 * (TARGETING_MATCH) or split (SPLIT); otherwise the environment's value (DEFAULT, or STATIC when
 * the flag has no rules). Never throws.
 */
export function evaluate(flag: CompiledFlag, context: EvaluationContext, lookup: FlagLookup = NO_FLAGS): EvaluationResult {
  if (flag.constant !== undefined) return flag.constant;
  try {
    return run(flag, context ?? {}, lookup, undefined);
  } catch (err) {
    return {
      value: flag.fallThrough.value,
      reason: "ERROR",
      errorCode: "GENERAL",
      errorMessage: err instanceof Error ? err.message : "evaluation failed",
    };
  }
}
