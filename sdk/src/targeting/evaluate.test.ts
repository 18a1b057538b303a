import { describe, expect, it } from "vitest";
import { compileFlag, compileSegments } from "./compile";
import { evaluate } from "./evaluate";
import { createFlagSet } from "./flag-set";
import { FlagTargetingSchema, type FlagTargetingInput } from "./model";
import { cycleAfterSave, findPrerequisiteCycle } from "./prerequisite-graph";

/**
 * Guarantee: evaluation follows the documented order and reports OpenFeature reasons: off or an
 * unmet prerequisite -> DISABLED; first matching rule -> TARGETING_MATCH or SPLIT (+ variant);
 * otherwise the environment's value, DEFAULT when rules exist and STATIC when none; cycles are
 * refused at save and stopped at evaluation.
 */
const flag = (f: FlagTargetingInput) => FlagTargetingSchema.parse(f);

const checkout = flag({
  key: "checkout",
  type: "string",
  value: "classic",
  variants: [
    { name: "blue", value: "blue-page" },
    { name: "green", value: "green-page", payload: { type: "json", value: '{"hue":120}' } },
  ],
  rules: [
    { constraints: [{ contextName: "country", operator: "IN", values: ["FR"] }], serve: { value: "french" } },
    { constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], gate: { percentage: 0 }, serve: { value: "never" } },
    { segments: ["beta"], serve: { split: { variants: [{ variant: "blue", weight: 1 }, { variant: "green", weight: 1 }] } } },
  ],
});
const segments = [{ key: "beta", constraints: [{ contextName: "userId", operator: "STR_STARTS_WITH" as const, values: ["beta-"] }] }];

describe("evaluate", () => {
  const compiled = compileFlag(checkout, compileSegments(segments));

  it("serves the first matching rule's value with TARGETING_MATCH and its index", () => {
    expect(evaluate(compiled, { userId: "beta-1", properties: { country: "FR" } })).toMatchObject({
      value: "french",
      reason: "TARGETING_MATCH",
      ruleIndex: 0,
    });
  });

  it("falls through a rule whose gate excludes the context, to a split with SPLIT and the variant", () => {
    const r = evaluate(compiled, { userId: "beta-7", properties: { plan: "pro" } });
    expect(r.reason).toBe("SPLIT");
    expect(r.ruleIndex).toBe(2);
    expect(["blue", "green"]).toContain(r.variant);
    expect(r.value).toBe(r.variant === "blue" ? "blue-page" : "green-page");
    if (r.variant === "green") expect(r.payload).toEqual({ type: "json", value: '{"hue":120}' });
    // Sticky: the same user gets the same variant every time.
    for (let i = 0; i < 20; i++) expect(evaluate(compiled, { userId: "beta-7" }).variant).toBe(r.variant);
  });

  it("serves the environment's value with DEFAULT when no rule matches, STATIC when there are no rules", () => {
    expect(evaluate(compiled, { userId: "someone" })).toEqual({ value: "classic", reason: "DEFAULT" });
    const plain = compileFlag(flag({ key: "plain", type: "number", value: 3 }));
    expect(evaluate(plain, {})).toEqual({ value: 3, reason: "STATIC" });
  });

  it("serves offValue (false for booleans by default) with DISABLED when the flag is off", () => {
    expect(evaluate(compileFlag(flag({ key: "b", type: "boolean", value: true, enabled: false })), {})).toEqual({
      value: false,
      reason: "DISABLED",
    });
    const off = compileFlag(flag({ key: "s", type: "string", value: "on", offValue: "off", enabled: false }));
    expect(evaluate(off, {})).toEqual({ value: "off", reason: "DISABLED" });
  });

  it("never throws, whatever the context (null, odd types, throwing getters)", () => {
    const hostile = Object.defineProperty({}, "userId", {
      get() {
        throw new Error("boom");
      },
    });
    expect(evaluate(compiled, hostile).reason).toBe("ERROR");
    expect(evaluate(compiled, null as never).value).toBe("classic");
    expect(evaluate(compiled, { userId: 42 as never, properties: { country: ["FR"] as never } }).reason).toBeDefined();
  });
});

describe("prerequisites", () => {
  const set = createFlagSet([
    flag({ key: "parent", type: "boolean", value: false, rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: ["u1"] }], serve: { value: true } }] }),
    flag({ key: "child", type: "string", value: "new", prerequisites: [{ flag: "parent" }] }),
    flag({ key: "not-parent", type: "string", value: "fallback", prerequisites: [{ flag: "parent", enabled: false }] }),
    flag({ key: "orphan", type: "boolean", value: true, prerequisites: [{ flag: "gone" }] }),
    flag({ key: "a", type: "boolean", value: true, prerequisites: [{ flag: "b" }] }),
    flag({ key: "b", type: "boolean", value: true, prerequisites: [{ flag: "a" }] }),
  ]);

  it("serves the child only when the parent is on for that context, else DISABLED", () => {
    expect(set.evaluate("child", { userId: "u1" })).toEqual({ value: "new", reason: "STATIC" });
    expect(set.evaluate("child", { userId: "u2" })).toEqual({ value: "new", reason: "DISABLED" });
    expect(set.evaluate("not-parent", { userId: "u2" })?.reason).toBe("STATIC");
    expect(set.evaluate("not-parent", { userId: "u1" })?.reason).toBe("DISABLED");
  });

  it("a missing prerequisite disables the flag with PREREQUISITE_MISSING", () => {
    expect(set.evaluate("orphan", {})).toMatchObject({ value: false, reason: "DISABLED", errorCode: "PREREQUISITE_MISSING" });
  });

  it("a cycle that reached evaluation disables with PREREQUISITE_CYCLE instead of recursing forever", () => {
    expect(set.evaluate("a", {})).toMatchObject({ reason: "DISABLED", errorCode: "PREREQUISITE_CYCLE" });
  });

  it("the save-time check finds cycles (naming the path) and accepts acyclic graphs", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", []],
    ]);
    expect(findPrerequisiteCycle(graph)).toBeUndefined();
    expect(cycleAfterSave(graph, "c", ["a"])).toEqual(["a", "b", "c", "a"]);
    expect(cycleAfterSave(graph, "d", ["a", "c"])).toBeUndefined();
    expect(cycleAfterSave(graph, "c", ["c"])).toEqual(["c", "c"]);
  });
});
