import { describe, expect, it } from "vitest";
import { evaluateDocument, isContextFree, type TargetedDocument } from "./evaluation-adapter";
import { toEngineContext } from "./ofrep-request";

/**
 * The OFREP adapter evaluates through the SDK's targeting engine: today's documents (no rules)
 * give STATIC, and a document that carries rules, variants and a split (as stored documents will
 * once targeting is delivered) goes through the same function with the engine's semantics.
 */
const base = { namespace: "checkout", version: 3, updatedAt: "2026-01-01T00:00:00.000Z" };
const plain: TargetedDocument = { ...base, key: "new-flow", type: "boolean", value: true };
const targeted: TargetedDocument = {
  ...base,
  key: "theme",
  type: "string",
  value: "classic",
  targeting: {
    variants: [
      { name: "blue", value: "blue-page" },
      { name: "green", value: "green-page" },
    ],
    rules: [
      { name: "staff", constraints: [{ contextName: "email", operator: "STR_ENDS_WITH", values: ["@corp.example"] }], serve: { value: "staff-page" } },
      { constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], serve: { split: { variants: [{ variant: "blue", weight: 50 }, { variant: "green", weight: 50 }], stickiness: "default" } } },
    ],
  },
};
const ctx = (c: Record<string, unknown>) => toEngineContext(c as never);

describe("OFREP evaluation adapter", () => {
  it("serves a document without rules as STATIC with its namespace and version in the metadata", () => {
    expect(evaluateDocument("checkout/new-flow", plain, ctx({}), false)).toEqual({
      key: "checkout/new-flow",
      value: true,
      reason: "STATIC",
      metadata: { namespace: "checkout", version: 3, flagType: "boolean" },
    });
  });

  it("evaluates a document's rules: targeting match, split variant (sticky by targetingKey), fall-through", () => {
    const staff = evaluateDocument("checkout/theme", targeted, ctx({ targetingKey: "u1", email: "a@corp.example" }), true);
    expect(staff).toMatchObject({ value: "staff-page", reason: "TARGETING_MATCH", metadata: { ruleIndex: 0 } });
    const split = evaluateDocument("checkout/theme", targeted, ctx({ targetingKey: "u1", plan: "pro" }), true);
    expect(split).toMatchObject({ reason: "SPLIT" });
    expect(["blue", "green"]).toContain((split as { variant: string }).variant);
    expect(evaluateDocument("checkout/theme", targeted, ctx({ targetingKey: "u1", plan: "pro" }), true)).toEqual(split);
    const values = new Set(Array.from({ length: 40 }, (_, i) => (evaluateDocument("t", targeted, ctx({ targetingKey: `u${i}`, plan: "pro" }), true) as { value: string }).value));
    expect(values).toEqual(new Set(["blue-page", "green-page"]));
    // OFREP has no DEFAULT reason: UNKNOWN, with the engine's reason in the metadata.
    expect(evaluateDocument("checkout/theme", targeted, ctx({ targetingKey: "u1" }), true)).toMatchObject({ value: "classic", reason: "UNKNOWN", metadata: { mizuflowReason: "DEFAULT" } });
  });

  it("marks only rule-free (or off) documents as context-free, so the bulk cache never serves one context's targeting to another", () => {
    expect(isContextFree(plain)).toBe(true);
    expect(isContextFree({ ...plain, key: "off2", targeting: { enabled: false, rules: targeted.targeting!.rules } })).toBe(true);
    expect(isContextFree(targeted)).toBe(false);
  });

  it("asks for a targetingKey only when the flag has rules, and reports a malformed document as GENERAL", () => {
    expect(evaluateDocument("checkout/theme", targeted, ctx({ plan: "pro" }), false)).toMatchObject({ errorCode: "TARGETING_KEY_MISSING" });
    expect(evaluateDocument("checkout/new-flow", plain, ctx({}), false)).toMatchObject({ reason: "STATIC" });
    const broken: TargetedDocument = { ...plain, key: "broken", targeting: { rules: [{ serve: 42 }] } };
    expect(evaluateDocument("checkout/broken", broken, ctx({}), true)).toMatchObject({ errorCode: "GENERAL" });
  });

  it("serves a flag that is off as DISABLED with its off value, and follows prerequisites in the namespace", () => {
    const off: TargetedDocument = { ...plain, key: "off", targeting: { enabled: false } };
    expect(evaluateDocument("checkout/off", off, ctx({}), false)).toMatchObject({ value: false, reason: "DISABLED" });
    const child: TargetedDocument = { ...base, key: "child", type: "string", value: "on", targeting: { offValue: "off", prerequisites: [{ flag: "off" }] } };
    const lookup = (k: string) => (k === "off" ? off : undefined);
    expect(evaluateDocument("checkout/child", child, ctx({}), false, lookup)).toMatchObject({ value: "off", reason: "DISABLED" });
  });

  it("maps the OpenFeature context: targetingKey is the user id, nested values become JSON text", () => {
    expect(toEngineContext({ targetingKey: "u1", sessionId: "s", plan: "pro", n: 3, tags: ["a"] })).toEqual({
      userId: "u1",
      sessionId: "s",
      properties: { plan: "pro", n: 3, tags: '["a"]' },
    });
  });
});
