import { gateBucketer, gateStickinessId, splitStickinessId, variantBucketer } from "./bucketing";
import { contextValue, type EvaluationContext } from "./context";
import type { Gate, Split } from "./model";
import type { Predicate } from "./operators";

/**
 * A percentage gate: Unleash's flexibleRollout check (`p > 0 && bucket <= p`). Raising p only
 * adds contexts, since a context's bucket does not depend on p.
 */
export function compileGate(gate: Gate, flagKey: string): Predicate {
  const p = gate.percentage;
  if (!(p > 0)) return () => false;
  const groupId = gate.groupId ?? flagKey;
  const stickiness = gate.stickiness ?? "default";
  const bucket = gateBucketer(groupId);
  return (ctx) => {
    const id = gateStickinessId(ctx, stickiness);
    return id !== undefined && bucket.bucket(id) <= p;
  };
}

/** Every constraint must hold (an empty list always holds). */
export function allOf(predicates: Predicate[]): Predicate | undefined {
  if (predicates.length === 0) return undefined;
  if (predicates.length === 1) return predicates[0];
  if (predicates.length === 2) {
    const [a, b] = predicates as [Predicate, Predicate];
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (const p of predicates) if (!p(ctx)) return false;
    return true;
  };
}

/**
 * A weighted split over `choices` (index-aligned with `split.variants`, undefined for an entry
 * naming no variant of the flag, which is skipped). Overrides win before weighting, as in
 * Unleash. Returns the chosen index, or -1 when nothing can be chosen (all weights 0).
 */
export function compileSplit(split: Split, flagKey: string, known: boolean[]): (ctx: EvaluationContext) => number {
  const entries = split.variants
    .map((v, i) => ({ i, weight: v.weight, overrides: v.overrides ?? [] }))
    .filter((e) => known[e.i]);
  const total = entries.reduce((s, e) => s + e.weight, 0);
  if (total <= 0) return () => -1;
  const groupId = split.groupId ?? flagKey;
  const stickiness = split.stickiness ?? "default";
  const withOverrides = entries
    .filter((e) => e.overrides.length > 0)
    .map((e) => ({ i: e.i, overrides: e.overrides.map((o) => ({ field: o.contextName, values: new Set(o.values) })) }));
  const weighted = entries.filter((e) => e.weight > 0);
  const bucket = variantBucketer(groupId, total);
  return (ctx) => {
    for (const e of withOverrides) {
      for (const o of e.overrides) {
        const v = contextValue(ctx, o.field);
        if (v !== undefined && o.values.has(v)) return e.i;
      }
    }
    const target = bucket.bucket(splitStickinessId(ctx, stickiness));
    let sum = 0;
    for (const e of weighted) {
      sum += e.weight;
      if (sum >= target) return e.i;
    }
    return -1;
  };
}
