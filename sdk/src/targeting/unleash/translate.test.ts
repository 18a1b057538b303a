import { describe, expect, it } from "vitest";
import { createFlagSet } from "../flag-set";
import { StrictFlagTargetingSchema } from "../strict-schema";
import { translateUnleash } from "./translate";

/**
 * Guarantee: the Unleash import is a pure plan (flags, segments, notes) that keeps what Unleash
 * serves, and lists everything it could not carry over exactly, by path: malformed values (kept,
 * never matching), strategies that can never match (left out), and stated differences.
 */
const payload = {
  version: 2,
  features: [
    {
      name: "new-checkout",
      project: "shop",
      enabled: true,
      strategies: [
        {
          name: "flexibleRollout",
          parameters: { rollout: "50", stickiness: "default", groupId: "new-checkout" },
          constraints: [
            { contextName: "appVersion", operator: "SEMVER_GT", value: "1.2" },
            { contextName: "country", operator: "IN", values: ["FR", "DE"] },
          ],
          segments: [1],
        },
        { name: "myCustomStrategy", parameters: {} },
        { name: "userWithId", parameters: { userIds: "alice, bob" } },
        { name: "default", segments: [99] },
      ],
      variants: [{ name: "blue", weight: 1000, payload: { type: "string", value: "b" } }],
    },
    { name: "kill-switch", enabled: false, strategies: [] },
    { name: "always-on", enabled: true, strategies: [] },
    { name: "needs-checkout", enabled: true, strategies: [], dependencies: [{ feature: "new-checkout", variants: ["blue"] }] },
    { name: "broken" },
  ],
  segments: [{ id: 1, name: "beta-testers", constraints: [{ contextName: "email", operator: "REGEX", value: "(" }] }],
};

describe("translateUnleash", () => {
  const r = translateUnleash(payload);
  if (!r.ok) throw new Error(r.message);
  const plan = r.plan;

  it("creates boolean flags whose rules mirror the strategies, with segments and variants", () => {
    expect(plan.flags.map((f) => f.targeting.key)).toEqual(["new-checkout", "kill-switch", "always-on", "needs-checkout"]);
    const checkout = plan.flags[0]!;
    expect(checkout.project).toBe("shop");
    expect(checkout.targeting.value).toBe(false);
    expect(checkout.targeting.rules).toHaveLength(2);
    expect(checkout.targeting.rules[0]).toMatchObject({
      gate: { percentage: 50, stickiness: "default", groupId: "new-checkout" },
      segments: ["beta-testers"],
      serve: { split: { groupId: "new-checkout", variants: [{ variant: "blue", weight: 1000 }] } },
    });
    expect(checkout.targeting.rules[1]!.constraints).toEqual([{ contextName: "userId", operator: "IN", values: ["alice", "bob"] }]);
    expect(plan.flags[1]!.targeting).toMatchObject({ enabled: false, value: true, rules: [] });
    expect(plan.segments).toEqual([{ key: "beta-testers", name: "beta-testers", constraints: [{ contextName: "email", operator: "REGEX", value: "(" }] }]);
  });

  it("lists every malformed or untranslatable part by path", () => {
    expect(plan.notes.map((n) => `${n.kind} ${n.path}`)).toEqual([
      "malformed segments[0].constraints[0].value",
      "skipped features[4]",
      "malformed features[0].strategies[0].constraints[0].value",
      "skipped features[0].strategies[1]",
      "skipped features[0].strategies[3].segments",
    ]);
    expect(plan.notes[2]).toMatchObject({ feature: "new-checkout", message: expect.stringContaining("'1.2' is not a semantic version") });
  });

  it("produces flags that evaluate as Unleash would, and that a save accepts once values are fixed", () => {
    const set = createFlagSet(
      plan.flags.map((f) => f.targeting),
      plan.segments,
    );
    expect(set.evaluate("new-checkout", { userId: "bob" })).toMatchObject({ value: true, variant: "blue", reason: "SPLIT", ruleIndex: 1 });
    expect(set.evaluate("new-checkout", { userId: "carol" })).toMatchObject({ value: false, reason: "DEFAULT" });
    expect(set.evaluate("kill-switch", {})).toEqual({ value: false, reason: "DISABLED" });
    expect(set.evaluate("always-on", {})).toEqual({ value: true, reason: "STATIC" });
    expect(set.evaluate("needs-checkout", { userId: "bob" })?.reason).toBe("STATIC");
    expect(set.evaluate("needs-checkout", { userId: "carol" })?.reason).toBe("DISABLED");
    // Only the reported malformed semver stands between the import and a strict save.
    const strict = StrictFlagTargetingSchema.safeParse(plan.flags[0]!.targeting);
    expect(strict.success ? [] : strict.error.issues.map((i) => i.path.join("."))).toEqual(["rules.0.constraints.0.value"]);
  });

  it("refuses what is not a client features payload", () => {
    expect(translateUnleash({ toggles: [] })).toEqual({ ok: false, message: expect.stringContaining("features") });
  });
});
