import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFlagSet, FlagTargetingSchema, SegmentSchema } from "../../sdk/src/targeting";
import type { EvaluationContext, FlagType, JsonValue } from "../../sdk/src/types";
import { constraintArb, contextArb, snapshotFedClient, stickinessArb as stickiness } from "../../sdk/tests/support/agreement-harness";
import { compactTargeting, TargetingFieldsSchema } from "./schemas";
import { previewEvaluate } from "./preview";

/**
 * Guarantee (issue 14, console = SDK = engine): the console's "Try a context" (previewEvaluate, on
 * the targeting as the server stores it after compactTargeting, and the namespace's segments)
 * gives the same value, reason, variant and rule index as the SDK's `getDetails` (fed the same
 * flag and segments through a `snapshot` event) and as the engine's createFlagSet, on random rules
 * (constraints of every operator family, segments some missing, gates, splits, off switch) and
 * random contexts. Prerequisites are left out: the preview holds one flag (see preview.ts). The
 * server's OFREP evaluation uses the same createFlagSet (lib/ofrep), covered by its own tests.
 */
const constraint = constraintArb({ malformed: false });
const typeArb = fc.constantFrom<FlagType>("boolean", "string");
const served = (type: FlagType) => (type === "boolean" ? fc.boolean() : fc.constantFrom("x", "y"));
const ruleArb = (type: FlagType) =>
  fc.record(
    {
      name: fc.constantFrom("beta", "rest"),
      constraints: fc.array(constraint, { maxLength: 3 }),
      segments: fc.subarray(["s1", "s2", "missing"], { maxLength: 2 }),
      gate: fc.record({ percentage: fc.integer({ min: 0, max: 100 }), stickiness }, { requiredKeys: ["percentage"] }),
      serve: fc.oneof(
        fc.record({ value: served(type) }),
        fc.record({ split: fc.record({ variants: fc.array(fc.record({ variant: fc.constantFrom("a", "b"), weight: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 2 }), stickiness }, { requiredKeys: ["variants"] }) }),
      ),
    },
    { requiredKeys: ["constraints", "segments", "serve"] },
  );
const flagArb = typeArb.chain((type) =>
  fc.record({
    type: fc.constant(type),
    value: served(type),
    targeting: fc.record(
      {
        enabled: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
        offValue: served(type),
        variants: fc.constant(type === "boolean" ? [{ name: "a", value: true }, { name: "b", value: false }] : [{ name: "a", value: "va" }, { name: "b", value: "vb" }]),
        rules: fc.array(ruleArb(type), { maxLength: 4 }),
      },
      { requiredKeys: ["rules", "variants"] },
    ),
  }),
);

describe("console preview agrees with the SDK and the engine (fast-check)", () => {
  const { client, es } = snapshotFedClient();

  it("value, reason, variant and rule index are equal on random flags x contexts", () => {
    let run = 0;
    let checked = 0;
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(flagArb, fc.array(constraint, { maxLength: 2 }), fc.array(contextArb, { minLength: 1, maxLength: 6 }), (flag, segConstraints, contexts) => {
        run++;
        // What the server stores (defaults dropped) is what the console page hands to the preview.
        const stored = compactTargeting(TargetingFieldsSchema.parse(flag.targeting)) ?? {};
        const segments = [{ key: "s1", constraints: segConstraints }, { key: "s2", constraints: [] }];
        es.send("snapshot", run, {
          revision: run,
          environment: "production",
          flags: [{ namespace: "ns", key: "f", type: flag.type, value: flag.value, version: run, ...(Object.keys(stored).length ? { targeting: stored } : {}) }],
          segments: segments.map((s) => ({ namespace: "ns", ...s, version: run })),
        });
        const engine = createFlagSet([FlagTargetingSchema.parse({ key: "f", type: flag.type, value: flag.value, ...flag.targeting })], segments.map((s) => SegmentSchema.parse(s)));
        const def: JsonValue = flag.type === "boolean" ? false : "caller-default";
        for (const ctx of contexts as EvaluationContext[]) {
          const preview = previewEvaluate({ key: "f", type: flag.type, value: flag.value, targeting: stored }, segments, ctx);
          const e = engine.evaluate("f", ctx)!;
          const sdk = client.getDetails("ns", "f", flag.type, def, ctx);
          const pick = (r: { value: unknown; reason: string; variant?: string; ruleIndex?: number }) => ({ value: r.value, reason: r.reason, variant: r.variant, ruleIndex: r.ruleIndex });
          expect(pick(preview)).toEqual(pick(e));
          // Without targeting the SDK says STATIC for the plain value, as the engine does.
          expect(pick(sdk)).toEqual(pick(preview));
          checked++;
          reasons.set(preview.reason, (reasons.get(preview.reason) ?? 0) + 1);
        }
      }),
      { numRuns: 300 },
    );
    console.log(`[preview agreement] ${run} random flags, ${checked} contexts: preview = SDK = engine`, Object.fromEntries(reasons));
    for (const reason of ["TARGETING_MATCH", "SPLIT", "DEFAULT", "DISABLED"]) expect(reasons.get(reason) ?? 0).toBeGreaterThan(10);
  });
});
