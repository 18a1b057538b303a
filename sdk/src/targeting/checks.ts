import type { JsonValue } from "../types";
import { type FlagType, LIMITS, LIST_OPERATORS, NO_VARIANT } from "./constants";
import type { Constraint, FlagTargeting } from "./model";
import { valueMatchesType } from "../value-type";
import { compileRegex, parseDate, parseNumber, parseRange, parseSemverValue } from "./values";

/**
 * The value checks a save must pass and an import is only warned about. Each problem names the
 * path of the offending field (e.g. rules.0.constraints.1.value), ready for a 422's issues.
 */
export interface TargetingIssue {
  path: (string | number)[];
  message: string;
}

type Path = (string | number)[];

export function constraintIssues(c: Constraint, at: Path): TargetingIssue[] {
  const issues: TargetingIssue[] = [];
  const op = c.operator;
  if (LIST_OPERATORS.has(op)) {
    if (c.values === undefined) issues.push({ path: [...at, "values"], message: `${op} needs a 'values' list` });
    if (op === "IN_CIDR") {
      (c.values ?? []).forEach((v, i) => {
        if (parseRange(v.trim()) === undefined) {
          issues.push({ path: [...at, "values", i], message: `'${v}' is not an IP address or CIDR range` });
        }
      });
    }
    return issues;
  }
  const value = c.value;
  const where = [...at, "value"];
  if (value === undefined) return [{ path: where, message: `${op} needs a 'value'` }];
  if (op.startsWith("NUM_") && parseNumber(value) === undefined) {
    issues.push({ path: where, message: `'${value}' is not a number` });
  } else if (op.startsWith("DATE_") && parseDate(value) === undefined) {
    issues.push({ path: where, message: `'${value}' is not a date (use ISO-8601, e.g. 2026-01-31T00:00:00Z)` });
  } else if (op.startsWith("SEMVER_") && parseSemverValue(value) === undefined) {
    issues.push({ path: where, message: `'${value}' is not a semantic version (e.g. 1.2.3 or 2.0.0-beta.1)` });
  } else if (op === "REGEX") {
    if (value.length > LIMITS.regexLength) {
      issues.push({ path: where, message: `regular expression longer than ${LIMITS.regexLength} characters` });
    } else if (compileRegex(value, c.caseInsensitive === true) === undefined) {
      issues.push({ path: where, message: `'${value}' is not a valid RE2 regular expression` });
    }
  }
  return issues;
}

/** Every value-level problem of one flag (segments are checked on their own, see segmentIssues). */
export function flagIssues(flag: FlagTargeting): TargetingIssue[] {
  const issues: TargetingIssue[] = [];
  const typeIssue = (path: Path, v: unknown) => {
    if (!valueMatchesType(flag.type, v as JsonValue)) issues.push({ path, message: `must be a ${flag.type}` });
  };
  typeIssue(["value"], flag.value);
  if (flag.offValue !== undefined) typeIssue(["offValue"], flag.offValue);
  const names = new Set<string>();
  flag.variants.forEach((v, i) => {
    if (v.name === NO_VARIANT) issues.push({ path: ["variants", i, "name"], message: `'${NO_VARIANT}' is reserved (it means "no variant")` });
    if (names.has(v.name)) issues.push({ path: ["variants", i, "name"], message: `duplicate variant '${v.name}'` });
    names.add(v.name);
    typeIssue(["variants", i, "value"], v.value);
  });
  flag.rules.forEach((rule, r) => {
    rule.constraints.forEach((c, i) => issues.push(...constraintIssues(c, ["rules", r, "constraints", i])));
    const serve = rule.serve;
    if ("value" in serve) {
      typeIssue(["rules", r, "serve", "value"], serve.value);
    } else {
      let total = 0;
      serve.split.variants.forEach((e, i) => {
        total += e.weight;
        if (!names.has(e.variant)) {
          issues.push({ path: ["rules", r, "serve", "split", "variants", i, "variant"], message: `no variant '${e.variant}' on this flag` });
        }
      });
      if (total <= 0) issues.push({ path: ["rules", r, "serve", "split", "variants"], message: "weights must sum to more than 0" });
    }
  });
  flag.prerequisites.forEach((p, i) => {
    if (p.flag === flag.key) issues.push({ path: ["prerequisites", i, "flag"], message: "a flag cannot require itself" });
  });
  return issues;
}

export function segmentIssues(constraints: readonly Constraint[]): TargetingIssue[] {
  return constraints.flatMap((c, i) => constraintIssues(c, ["constraints", i]));
}

/** References a save must resolve: segments of the namespace, flags of the environment. */
export function referenceIssues(
  flag: FlagTargeting,
  known: { segments: ReadonlySet<string>; flags: ReadonlySet<string> },
): TargetingIssue[] {
  const issues: TargetingIssue[] = [];
  flag.rules.forEach((rule, r) =>
    rule.segments.forEach((s, i) => {
      if (!known.segments.has(s)) issues.push({ path: ["rules", r, "segments", i], message: `no segment '${s}'` });
    }),
  );
  flag.prerequisites.forEach((p, i) => {
    if (!known.flags.has(p.flag)) issues.push({ path: ["prerequisites", i, "flag"], message: `no flag '${p.flag}'` });
  });
  return issues;
}
