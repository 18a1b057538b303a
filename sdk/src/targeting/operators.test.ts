import fc from "fast-check";
import { Strategy } from "unleash-client";
import { describe, expect, it } from "vitest";
import type { EvaluationContext } from "./context";
import { OPERATORS, type Constraint } from "./model";
import { compileConstraint } from "./operators";

/**
 * Guarantee: each constraint operator has Unleash's semantics, edge cases included (absent
 * fields, malformed values, inversion, case folding), and never throws. Proven by explicit cases
 * and by a differential property test against unleash-client's own constraint check.
 */
const check = (c: Constraint, ctx: EvaluationContext) => compileConstraint(c)(ctx);

describe("constraint operators (explicit Unleash edge cases)", () => {
  it("IN / NOT_IN: trimmed values, empty values dropped, absent field is not IN but is NOT_IN", () => {
    const c: Constraint = { contextName: "country", operator: "IN", values: [" fr ", "", "de"] };
    expect(check(c, { properties: { country: "fr" } })).toBe(true);
    expect(check(c, { properties: { country: "FR" } })).toBe(false);
    expect(check(c, {})).toBe(false);
    expect(check({ ...c, operator: "NOT_IN" }, {})).toBe(true);
    expect(check({ ...c, operator: "NOT_IN" }, { properties: { country: "de" } })).toBe(false);
    // A top-level field wins over a property of the same name, as in Unleash.
    expect(check({ contextName: "userId", operator: "IN", values: ["a"] }, { userId: "a", properties: { userId: "b" } })).toBe(true);
    // Numbers and booleans in properties compare as strings.
    expect(check({ contextName: "n", operator: "IN", values: ["7"] }, { properties: { n: 7 } })).toBe(true);
  });

  it("STR_*: case-sensitive unless caseInsensitive; absent field never matches, even inverted-off", () => {
    const c: Constraint = { contextName: "email", operator: "STR_ENDS_WITH", values: ["@Example.com"] };
    expect(check(c, { properties: { email: "a@Example.com" } })).toBe(true);
    expect(check(c, { properties: { email: "a@example.com" } })).toBe(false);
    expect(check({ ...c, caseInsensitive: true }, { properties: { email: "a@EXAMPLE.COM" } })).toBe(true);
    expect(check({ ...c, operator: "STR_STARTS_WITH", values: ["a@"] }, { properties: { email: "a@x" } })).toBe(true);
    expect(check({ ...c, operator: "STR_CONTAINS", values: ["mpl"] }, { properties: { email: "a@Example.com" } })).toBe(true);
    expect(check(c, {})).toBe(false);
    expect(check({ ...c, inverted: true }, {})).toBe(true);
  });

  it("NUM_*: compares numerically, a non-numeric field or value never matches", () => {
    const at = (operator: Constraint["operator"], value: string, v: unknown) =>
      check({ contextName: "age", operator, value }, { properties: { age: v as string } });
    expect(at("NUM_EQ", "5", "5.0")).toBe(true);
    expect(at("NUM_GT", "5", "10")).toBe(true); // not a string comparison
    expect(at("NUM_GTE", "5", "5")).toBe(true);
    expect(at("NUM_LT", "5", "-1")).toBe(true);
    expect(at("NUM_LTE", "5", "6")).toBe(false);
    expect(at("NUM_EQ", "abc", "0")).toBe(false);
    expect(at("NUM_EQ", "5", "five")).toBe(false);
    expect(check({ contextName: "age", operator: "NUM_LT", value: "5" }, {})).toBe(false);
  });

  it("DATE_*: compares currentTime (now when absent) whatever the contextName; a bad date never matches", () => {
    const after: Constraint = { contextName: "currentTime", operator: "DATE_AFTER", value: "2024-01-01T00:00:00.000Z" };
    expect(check(after, { currentTime: "2024-01-01T00:00:01Z" })).toBe(true);
    expect(check(after, { currentTime: "2024-01-01T00:00:00Z" })).toBe(false);
    expect(check(after, { currentTime: new Date("2030-01-01") })).toBe(true);
    expect(check(after, {})).toBe(true); // now is after 2024
    expect(check({ ...after, operator: "DATE_BEFORE" }, { currentTime: "2023-12-31T23:59:59Z" })).toBe(true);
    expect(check({ ...after, value: "not a date" }, { currentTime: "2030-01-01" })).toBe(false);
    expect(check({ ...after, value: "not a date", inverted: true }, { currentTime: "2030-01-01" })).toBe(true);
  });

  it("SEMVER_*: semver 2.0 precedence (pre-releases sort first); a 'v' in the context never matches", () => {
    const at = (operator: Constraint["operator"], value: string, v?: string) =>
      check({ contextName: "version", operator, value }, v === undefined ? {} : { properties: { version: v } });
    expect(at("SEMVER_EQ", "1.2.3", "1.2.3")).toBe(true);
    expect(at("SEMVER_GT", "1.2.3", "1.10.0")).toBe(true);
    expect(at("SEMVER_LT", "2.0.0", "2.0.0-beta.1")).toBe(true);
    expect(at("SEMVER_GT", "2.0.0-alpha.2", "2.0.0-alpha.10")).toBe(true);
    expect(at("SEMVER_GTE", "1.0.0", "1.0.0")).toBe(true);
    expect(at("SEMVER_LTE", "1.0.0", "1.0.1")).toBe(false);
    expect(at("SEMVER_EQ", "1.2.3", "v1.2.3")).toBe(false);
    expect(at("SEMVER_EQ", "1.2.3", "1.2")).toBe(false);
    expect(at("SEMVER_EQ", "1.2", "1.2.0")).toBe(false);
    expect(at("SEMVER_EQ", "1.2.3")).toBe(false);
  });

  it("REGEX: RE2 search (unanchored), caseInsensitive flag; an invalid pattern never matches", () => {
    const c: Constraint = { contextName: "email", operator: "REGEX", value: "^[a-z]+@corp\\.com$" };
    expect(check(c, { properties: { email: "ann@corp.com" } })).toBe(true);
    expect(check(c, { properties: { email: "Ann@corp.com" } })).toBe(false);
    expect(check({ ...c, caseInsensitive: true }, { properties: { email: "Ann@CORP.com" } })).toBe(true);
    expect(check({ ...c, value: "corp" }, { properties: { email: "x@corp.io" } })).toBe(true);
    expect(check({ ...c, value: "(unclosed" }, { properties: { email: "(unclosed" } })).toBe(false);
    // Backreferences are not RE2: refused by the engine, so never matching.
    expect(check({ ...c, value: "(a)\\1" }, { properties: { email: "aa" } })).toBe(false);
  });

  it("REGEX: a catastrophic-backtracking pattern runs in linear time", () => {
    const c: Constraint = { contextName: "s", operator: "REGEX", value: "^(a+)+$" };
    const input = `${"a".repeat(50_000)}!`;
    // A backtracking engine would not return within the test timeout on this input.
    expect(check(c, { properties: { s: input } })).toBe(false);
  });

  it("IN_CIDR: IPv4 and IPv6 ranges and addresses; malformed entries are skipped, the rest still match", () => {
    const c: Constraint = { contextName: "remoteAddress", operator: "IN_CIDR", values: ["10.0.0.0/8", "bad", "2001:db8::/32", "192.168.1.7"] };
    expect(check(c, { remoteAddress: "10.20.30.40" })).toBe(true);
    expect(check(c, { remoteAddress: "11.0.0.1" })).toBe(false);
    expect(check(c, { remoteAddress: "2001:db8:1::5" })).toBe(true);
    expect(check(c, { remoteAddress: "192.168.1.7" })).toBe(true);
    expect(check(c, { remoteAddress: "192.168.1.8" })).toBe(false);
    expect(check(c, { remoteAddress: "not-an-ip" })).toBe(false);
    expect(check(c, {})).toBe(false);
    expect(check({ ...c, values: ["10.0.0.0/33"] }, { remoteAddress: "10.0.0.1" })).toBe(false);
  });
});

// Values that exercise every parser: numbers, versions, dates, addresses, and junk.
const atoms = [
  "", " ", "0", "5", "-1.5", "1e3", "abc", "1.2.3", "1.2.3-beta.1", "v1.2.3", "2.0.0", "1.2",
  "2024-01-01T00:00:00Z", "2030-06-01", "not a date", "10.0.0.1", "10.0.0.0/8", "2001:db8::/32",
  "2001:db8::7", "192.168.0.0/16", "a.b", "^a", "A", "a", "(x", "[a-c]+", "fr", "FR",
];
const atom = fc.constantFrom(...atoms);

const constraintArb: fc.Arbitrary<Constraint> = fc.record({
  contextName: fc.constantFrom("userId", "remoteAddress", "f", "missing", "currentTime"),
  operator: fc.constantFrom(...OPERATORS),
  values: fc.array(atom, { maxLength: 4 }),
  value: atom,
  inverted: fc.boolean(),
  caseInsensitive: fc.boolean(),
});

const contextArb: fc.Arbitrary<EvaluationContext> = fc.record(
  {
    userId: atom,
    remoteAddress: atom,
    currentTime: fc.constantFrom("2020-01-01T00:00:00Z", "2028-01-01T00:00:00Z"),
    properties: fc.record({ f: atom }, { requiredKeys: [] }),
  },
  { requiredKeys: ["currentTime"] },
);

describe("constraint operators (differential against unleash-client)", () => {
  it("gives unleash-client's answer for random constraints and contexts, malformed values included", () => {
    const unleash = new Strategy("differential");
    fc.assert(
      fc.property(constraintArb, contextArb, (c, ctx) => {
        const theirs = unleash.checkConstraint(c as never, ctx as never);
        expect(check(c, ctx)).toBe(theirs);
      }),
      { numRuns: 20_000 },
    );
  });
});
