import { describe, expect, it } from "vitest";
import { compileFlag } from "./compile";
import { referenceIssues } from "./checks";
import { evaluate } from "./evaluate";
import { StrictFlagTargetingSchema, StrictSegmentSchema, parseLenient } from "./strict-schema";

/**
 * Guarantee: a save refuses malformed values with an issue whose path names the field (what the
 * API turns into a 422), while a lenient parse (imports, stored documents) keeps the flag, reports
 * the problem, and the malformed constraint simply does not match.
 */
const base = { key: "f", type: "boolean", value: false } as const;
const ruleWith = (constraint: object) => ({ ...base, rules: [{ constraints: [constraint], serve: { value: true } }] });

function pathsOf(input: unknown): string[] {
  const r = StrictFlagTargetingSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

describe("strict validation (saves)", () => {
  it.each([
    ["bad semver", { contextName: "v", operator: "SEMVER_GT", value: "1.2" }, "rules.0.constraints.0.value"],
    ["bad date", { contextName: "currentTime", operator: "DATE_AFTER", value: "yesterday" }, "rules.0.constraints.0.value"],
    ["bad regex", { contextName: "e", operator: "REGEX", value: "(a" }, "rules.0.constraints.0.value"],
    ["backreference (not RE2)", { contextName: "e", operator: "REGEX", value: "(a)\\1" }, "rules.0.constraints.0.value"],
    ["bad CIDR", { contextName: "ip", operator: "IN_CIDR", values: ["10.0.0.0/8", "10.0.0.0/40"] }, "rules.0.constraints.0.values.1"],
    ["bad number", { contextName: "n", operator: "NUM_GT", value: "ten" }, "rules.0.constraints.0.value"],
    ["missing value", { contextName: "n", operator: "NUM_GT" }, "rules.0.constraints.0.value"],
    ["unknown operator", { contextName: "n", operator: "LIKE", values: [] }, "rules.0.constraints.0.operator"],
  ])("refuses a %s, naming the field", (_what, constraint, path) => {
    expect(pathsOf(ruleWith(constraint))).toEqual([path]);
  });

  it("refuses values of the wrong type, unknown variants and zero-weight splits", () => {
    expect(pathsOf({ ...base, value: "yes" })).toEqual(["value"]);
    expect(
      pathsOf({
        ...base,
        variants: [{ name: "a", value: true }],
        rules: [{ serve: { split: { variants: [{ variant: "a", weight: 0 }, { variant: "zz", weight: 0 }] } } }],
      }),
    ).toEqual(["rules.0.serve.split.variants.1.variant", "rules.0.serve.split.variants"]);
    expect(pathsOf({ ...base, variants: [{ name: "disabled", value: true }] })).toEqual(["variants.0.name"]);
    expect(pathsOf({ ...base, prerequisites: [{ flag: "f" }] })).toEqual(["prerequisites.0.flag"]);
  });

  it("accepts a well-formed flag and checks segments the same way", () => {
    expect(pathsOf(ruleWith({ contextName: "v", operator: "SEMVER_GTE", value: "2.0.0-rc.1" }))).toEqual([]);
    const seg = StrictSegmentSchema.safeParse({ key: "s", constraints: [{ contextName: "d", operator: "DATE_BEFORE", value: "x" }] });
    expect(seg.success ? [] : seg.error.issues.map((i) => i.path.join("."))).toEqual(["constraints.0.value"]);
  });

  it("reports references to unknown segments and flags", () => {
    const f = StrictFlagTargetingSchema.parse({ ...base, rules: [{ segments: ["s1", "s2"], serve: { value: true } }], prerequisites: [{ flag: "p" }] });
    const issues = referenceIssues(f, { segments: new Set(["s1"]), flags: new Set() });
    expect(issues.map((i) => i.path.join("."))).toEqual(["rules.0.segments.1", "prerequisites.0.flag"]);
  });
});

describe("lenient parse (imports, stored documents)", () => {
  it("keeps a malformed constraint, reports it, and evaluates it as not matching", () => {
    const r = parseLenient(ruleWith({ contextName: "v", operator: "SEMVER_EQ", value: "not-a-version" }));
    if (!r.ok) throw r.error;
    expect(r.issues.map((i) => i.path.join("."))).toEqual(["rules.0.constraints.0.value"]);
    const compiled = compileFlag(r.flag);
    expect(evaluate(compiled, { properties: { v: "not-a-version" } })).toEqual({ value: false, reason: "DEFAULT" });
  });

  it("still refuses a structurally wrong document", () => {
    expect(parseLenient({ key: "f", type: "boolean" }).ok).toBe(false);
  });
});
