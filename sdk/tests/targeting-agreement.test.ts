import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFlagSet } from "../src/targeting/engine";
import { FlagTargetingSchema, SegmentSchema } from "../src/targeting/model";
import type { EvaluationContext, FlagType, JsonValue } from "../src/types";
import { constraintArb, contextArb, snapshotFedClient, stickinessArb as stickiness } from "./support/agreement-harness";

/**
 * Guarantee: what the SDK serves for a flag and a context is exactly what the engine's
 * `createFlagSet(...).evaluate` gives (value, reason, variant, rule index), on random flags with
 * rules, splits, gates, segments (some missing) and prerequisites (some cyclic or missing), and
 * random contexts. The SDK side goes the whole way: a `snapshot` event parsed by the client,
 * applied to its store, compiled lazily and evaluated through `getDetails`. Stickiness is never
 * random (contexts carry every field) so both sides are deterministic.
 */
const KEYS = ["f0", "f1", "f2", "f3"] as const;
const TYPES: Record<(typeof KEYS)[number], FlagType> = { f0: "boolean", f1: "boolean", f2: "string", f3: "string" };
const constraint = constraintArb({ malformed: true });
const ruleArb = (type: FlagType) =>
  fc.record(
    {
      constraints: fc.array(constraint, { maxLength: 3 }),
      segments: fc.subarray(["s1", "s2", "missing"], { maxLength: 2 }),
      gate: fc.record({ percentage: fc.integer({ min: 0, max: 100 }), stickiness, groupId: fc.constantFrom("g", "h") }, { requiredKeys: ["percentage"] }),
      serve: fc.oneof(
        fc.record({ value: type === "boolean" ? fc.boolean() : fc.constantFrom("x", "y") }),
        fc.record({
          split: fc.record(
            { variants: fc.array(fc.record({ variant: fc.constantFrom("a", "b"), weight: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 2 }), stickiness },
            { requiredKeys: ["variants"] },
          ),
        }),
      ),
    },
    { requiredKeys: ["constraints", "segments", "serve"] },
  );

const targetingArb = (type: FlagType) =>
  fc.record(
    {
      enabled: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      offValue: type === "boolean" ? fc.boolean() : fc.constant("off"),
      variants: fc.constant(
        type === "boolean"
          ? [{ name: "a", value: true }, { name: "b", value: false }]
          : [{ name: "a", value: "va" }, { name: "b", value: "vb", payload: { type: "string", value: "p" } }],
      ),
      rules: fc.array(ruleArb(type), { maxLength: 3 }),
      prerequisites: fc.array(fc.record({ flag: fc.constantFrom("f0", "f1", "f2", "f3", "gone"), enabled: fc.boolean(), variants: fc.subarray(["a", "b", "disabled"]) }, { requiredKeys: ["flag"] }), { maxLength: 1 }),
    },
    { requiredKeys: [] },
  );

const flagsArb = fc.tuple(...KEYS.map((k) => fc.option(targetingArb(TYPES[k]), { nil: undefined })));
const segmentsArb = fc.tuple(fc.array(constraint, { maxLength: 2 }), fc.array(constraint, { maxLength: 2 }));

const value = (type: FlagType, i: number): JsonValue => (type === "boolean" ? i % 2 === 0 : `env${i}`);

describe("SDK evaluation agrees with the engine (fast-check)", () => {
  const { client, es } = snapshotFedClient();

  it("value, reason, variant and rule index are the engine's for every flag and context", () => {
    let run = 0;
    let checked = 0;
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(flagsArb, segmentsArb, fc.array(contextArb, { minLength: 1, maxLength: 5 }), (targetings, [c1, c2], contexts) => {
        run++;
        const flags = KEYS.map((key, i) => ({ namespace: "ns", key, type: TYPES[key], value: value(TYPES[key], i + run), version: run, ...(targetings[i] ? { targeting: targetings[i] } : {}) }));
        const segments = [
          { namespace: "ns", key: "s1", constraints: c1, version: run },
          { namespace: "ns", key: "s2", constraints: c2, version: run },
        ];
        es.send("snapshot", run, { revision: run, environment: "production", flags, segments });
        const set = createFlagSet(
          flags.map((f) => FlagTargetingSchema.parse({ key: f.key, type: f.type, value: f.value, ...(f.targeting ?? {}) })),
          segments.map((s) => SegmentSchema.parse({ key: s.key, constraints: s.constraints })),
        );
        for (const ctx of contexts as EvaluationContext[]) {
          for (const key of KEYS) {
            const engine = set.evaluate(key, ctx)!;
            const sdk = client.getDetails("ns", key, TYPES[key], TYPES[key] === "boolean" ? false : "caller-default", ctx);
            checked++;
            reasons.set(engine.reason, (reasons.get(engine.reason) ?? 0) + 1);
            if (engine.reason === "ERROR") {
              expect(sdk).toMatchObject({ reason: "ERROR", value: TYPES[key] === "boolean" ? false : "caller-default" });
              continue;
            }
            expect({ value: sdk.value, reason: sdk.reason, variant: sdk.variant, ruleIndex: sdk.ruleIndex }).toEqual({
              value: engine.value,
              reason: engine.reason,
              variant: engine.variant,
              ruleIndex: engine.ruleIndex,
            });
          }
        }
      }),
      { numRuns: 300 },
    );
    console.log(`[targeting agreement] ${run} random flag sets, ${checked} SDK evaluations equal to the engine's`, Object.fromEntries(reasons));
    // The comparison covered every outcome, not only the easy ones.
    for (const reason of ["TARGETING_MATCH", "SPLIT", "DEFAULT", "STATIC", "DISABLED"]) expect(reasons.get(reason) ?? 0).toBeGreaterThan(10);
  });
});
