import type { JsonValue } from "../types";
import type { EvaluationContext } from "./context";
import type { FlagTargeting, FlagType, Prerequisite, Rule, Segment } from "./model";
import { compileConstraint, type Predicate } from "./operators";
import { frozen, type EvaluationResult } from "./result";
import { allOf, compileGate, compileSplit } from "./rule-parts";

/**
 * Compiles a flag's targeting once into closures, so evaluation does no parsing: IN lists become
 * Sets, versions/dates/CIDRs are parsed, regexes compiled, and every possible result object is
 * built up front. Compiling never throws on a structurally valid flag (malformed values compile to
 * constraints that do not match; see strict-schema.ts for what a save refuses).
 */
export interface CompiledRule {
  /** Constraints and segments together; undefined = always. */
  readonly match: Predicate | undefined;
  readonly gate: Predicate | undefined;
  /** The result this rule serves for a context it matched; undefined = fall through. */
  readonly serve: (ctx: EvaluationContext) => EvaluationResult | undefined;
}

export interface CompiledFlag {
  readonly key: string;
  readonly type: FlagType;
  readonly enabled: boolean;
  readonly prerequisites: readonly Prerequisite[];
  readonly rules: readonly CompiledRule[];
  /** DEFAULT (rules exist) or STATIC (none): the environment's value. */
  readonly fallThrough: EvaluationResult;
  readonly disabled: EvaluationResult;
  /** The result for every context when nothing depends on the context (off, or no rules). */
  readonly constant: EvaluationResult | undefined;
}

/** Segments compiled once per namespace and shared by every rule that names them. */
export type SegmentsByKey = ReadonlyMap<string, Predicate>;

const NEVER: Predicate = () => false;
const ALWAYS: Predicate = () => true;

export function compileSegments(segments: readonly Segment[]): SegmentsByKey {
  return new Map(segments.map((s) => [s.key, allOf(s.constraints.map(compileConstraint)) ?? ALWAYS]));
}

function compileMatch(rule: Rule, segments: SegmentsByKey): Predicate | undefined {
  const predicates = rule.constraints.map(compileConstraint);
  for (const ref of rule.segments) {
    const segment = segments.get(ref);
    // A rule naming an unknown segment never matches (Unleash: a missing segment fails).
    if (!segment) return NEVER;
    if (segment !== ALWAYS) predicates.push(segment);
  }
  return allOf(predicates);
}

function compileServe(rule: Rule, index: number, flag: FlagTargeting): CompiledRule["serve"] {
  const serve = rule.serve;
  if ("value" in serve) {
    const result = frozen({ value: serve.value as JsonValue, reason: "TARGETING_MATCH", ruleIndex: index });
    return () => result;
  }
  const byName = new Map(flag.variants.map((v) => [v.name, v]));
  const results = serve.split.variants.map((entry) => {
    const v = byName.get(entry.variant);
    if (!v) return undefined;
    const r: EvaluationResult = { value: v.value as JsonValue, reason: "SPLIT", variant: v.name, ruleIndex: index };
    if (v.payload) r.payload = v.payload;
    return frozen(r);
  });
  const pick = compileSplit(
    serve.split,
    flag.key,
    results.map((r) => r !== undefined),
  );
  return (ctx) => {
    const i = pick(ctx);
    return i < 0 ? undefined : results[i];
  };
}

export function defaultOffValue(flag: FlagTargeting): JsonValue {
  if (flag.offValue !== undefined) return flag.offValue as JsonValue;
  return flag.type === "boolean" ? false : (flag.value as JsonValue);
}

export function compileFlag(flag: FlagTargeting, segments: SegmentsByKey = new Map()): CompiledFlag {
  const rules = flag.rules.map((rule, index) => ({
    match: compileMatch(rule, segments),
    gate: rule.gate ? compileGate(rule.gate, flag.key) : undefined,
    serve: compileServe(rule, index, flag),
  }));
  const fallThrough = frozen({ value: flag.value as JsonValue, reason: rules.length > 0 ? "DEFAULT" : "STATIC" });
  const disabled = frozen({ value: defaultOffValue(flag), reason: "DISABLED" });
  const constant = !flag.enabled ? disabled : rules.length === 0 && flag.prerequisites.length === 0 ? fallThrough : undefined;
  return { key: flag.key, type: flag.type, enabled: flag.enabled, prerequisites: flag.prerequisites, rules, fallThrough, disabled, constant };
}
