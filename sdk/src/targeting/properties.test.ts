import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { normalizedStrategyValue, normalizedVariantValue } from "unleash-client/lib/strategy/util.js";
import { describe, expect, it } from "vitest";
import murmurhash3js from "murmurhash3js";
import { gateBucket, gateBucketer, variantBucket, variantBucketer } from "./bucketing";
import { compileFlag, compileSegments } from "./compile";
import { evaluate } from "./evaluate";
import { FlagTargetingSchema, OPERATORS } from "./model";
import { PrefixedHash32 } from "./prefixed-hash";
import { parseLenient } from "./strict-schema";

/**
 * Guarantees, as properties: buckets are Unleash's own; raising a gate only adds contexts; a
 * split's observed shares over 100,000 random ids are within 1 % of its weights; evaluation never
 * throws, whatever the rules (malformed ones included) and the context.
 */
describe("bucketing", () => {
  it("puts every id in the same rollout and variant bucket as unleash-client", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 10_000 }), (groupId, id, total) => {
        expect(gateBucket(groupId, id)).toBe(normalizedStrategyValue(id, groupId));
        expect(variantBucket(groupId, id, total)).toBe(normalizedVariantValue(id, groupId, total));
        // What compiled gates and splits call (prefix hashed once): the same buckets.
        expect(gateBucketer(groupId).bucket(id)).toBe(normalizedStrategyValue(id, groupId));
        expect(variantBucketer(groupId, total).bucket(id)).toBe(normalizedVariantValue(id, groupId, total));
      }),
      { numRuns: 5_000 },
    );
  });

  it("new PrefixedHash32(prefix, seed).hash(id) = murmurhash3js x86.hash32(prefix + id, seed) for any UTF-16 strings, every prefix length mod 4", () => {
    const units = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(
      fc.property(units, units, fc.integer({ min: 0, max: 0xffffffff }), (prefix, id, seed) => {
        expect(new PrefixedHash32(prefix, seed).hash(id)).toBe(murmurhash3js.x86.hash32(prefix + id, seed));
      }),
      { numRuns: 5_000 },
    );
  });
});

const gated = (percentage: number, groupId: string) =>
  compileFlag(
    FlagTargetingSchema.parse({
      key: "gated",
      type: "boolean",
      value: false,
      rules: [{ gate: { percentage, groupId }, serve: { value: true } }],
    }),
  );

describe("percentage gates", () => {
  it("are monotonic: raising a gate from p to q only adds users", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.string(),
        fc.array(fc.string({ minLength: 1 }), { minLength: 50, maxLength: 200 }),
        (a, b, groupId, ids) => {
          const [p, q] = a <= b ? [a, b] : [b, a];
          const low = gated(p, groupId);
          const high = gated(q, groupId);
          for (const userId of ids) {
            if (evaluate(low, { userId }).value === true) expect(evaluate(high, { userId }).value).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("let in p % of 100,000 random users, within 1 %", () => {
    for (const p of [1, 10, 33, 50, 90]) {
      const flag = gated(p, "share-test");
      let inside = 0;
      for (let i = 0; i < 100_000; i++) if (evaluate(flag, { userId: randomUUID() }).value === true) inside++;
      expect(Math.abs(inside / 100_000 - p / 100)).toBeLessThan(0.01);
    }
  });
});

describe("splits", () => {
  it("serve each variant to its weight's share of 100,000 random ids, within 1 %", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 5 }), fc.string(), (weights, groupId) => {
        const flag = compileFlag(
          FlagTargetingSchema.parse({
            key: "split",
            type: "number",
            value: -1,
            variants: weights.map((_, i) => ({ name: `v${i}`, value: i })),
            rules: [{ serve: { split: { groupId, variants: weights.map((weight, i) => ({ variant: `v${i}`, weight })) } } }],
          }),
        );
        const counts = new Array<number>(weights.length).fill(0);
        for (let i = 0; i < 100_000; i++) counts[evaluate(flag, { userId: randomUUID() }).value as number]!++;
        const total = weights.reduce((s, w) => s + w, 0);
        weights.forEach((w, i) => expect(Math.abs(counts[i]! / 100_000 - w / total)).toBeLessThan(0.01));
      }),
      { numRuns: 5 },
    );
  });
});

// Structurally valid documents whose values are often malformed (bad versions, dates, regexes...).
const junk = fc.oneof(fc.string(), fc.constantFrom("1.2.3", "v1", "2024-01-01", "(", "[a-", "10.0.0.0/8", "::1/200", "NaN", ""));
const constraintArb = fc.record(
  {
    contextName: fc.constantFrom("userId", "sessionId", "remoteAddress", "currentTime", "x", "y"),
    operator: fc.constantFrom(...OPERATORS),
    values: fc.array(junk, { maxLength: 5 }),
    value: junk,
    inverted: fc.boolean(),
    caseInsensitive: fc.boolean(),
  },
  { requiredKeys: ["contextName", "operator"] },
);
const ruleArb = fc.record(
  {
    constraints: fc.array(constraintArb, { maxLength: 4 }),
    segments: fc.array(fc.constantFrom("s", "missing"), { maxLength: 2 }),
    gate: fc.record(
      { percentage: fc.double({ min: 0, max: 100, noNaN: true }), stickiness: fc.constantFrom("default", "random", "x", "userId"), groupId: fc.string() },
      { requiredKeys: ["percentage"] },
    ),
    serve: fc.oneof(
      fc.record({ value: fc.boolean() }),
      fc.record({
        split: fc.record(
          {
            variants: fc.array(fc.record({ variant: fc.constantFrom("a", "b", "nope"), weight: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 3 }),
            stickiness: fc.constantFrom("default", "random", "sessionId", "x"),
          },
          { requiredKeys: ["variants"] },
        ),
      }),
    ),
  },
  { requiredKeys: ["serve"] },
);
const flagArb = fc.record({
  key: fc.constant("f"),
  type: fc.constant("boolean"),
  value: fc.boolean(),
  enabled: fc.boolean(),
  variants: fc.constant([
    { name: "a", value: true },
    { name: "b", value: false },
  ]),
  rules: fc.array(ruleArb, { maxLength: 4 }),
  prerequisites: fc.array(fc.record({ flag: fc.constantFrom("f", "g") }), { maxLength: 1 }),
});
const contextArb = fc.oneof(
  fc.record(
    {
      userId: fc.oneof(fc.string(), fc.integer() as fc.Arbitrary<unknown>),
      sessionId: fc.string(),
      remoteAddress: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
      currentTime: fc.oneof(fc.string(), fc.date() as fc.Arbitrary<unknown>),
      properties: fc.dictionary(fc.constantFrom("x", "y", "z"), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))),
    },
    { requiredKeys: [] },
  ),
  fc.anything() as fc.Arbitrary<Record<string, unknown>>,
);

describe("robustness", () => {
  it("evaluation never throws on random contexts and random, partly malformed rule sets", () => {
    const segment = { key: "s", constraints: [{ contextName: "x", operator: "REGEX" as const, value: "(" }] };
    fc.assert(
      fc.property(flagArb, fc.array(contextArb, { minLength: 1, maxLength: 5 }), (doc, contexts) => {
        const parsed = parseLenient(doc);
        if (!parsed.ok) return;
        const compiled = compileFlag(parsed.flag, compileSegments([segment]));
        for (const ctx of contexts) {
          const r = evaluate(compiled, ctx as never, (k) => (k === "f" ? compiled : undefined));
          expect(["TARGETING_MATCH", "SPLIT", "DEFAULT", "STATIC", "DISABLED"]).toContain(r.reason);
          expect(typeof r.value).toBe("boolean");
        }
      }),
      { numRuns: 1_500 },
    );
  });
});
