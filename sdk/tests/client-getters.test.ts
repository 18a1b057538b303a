import { afterEach, describe, expect, it } from "vitest";
import { createClient, type MizuFlowClient } from "../src/client";
import { targetingEngine } from "../src/local-eval/targeting-entry";
import type { EvaluationContext, FlagEntry, FlagType, JsonValue, WireTargeting } from "../src/types";
import { FakeEventSource } from "./support/fake-event-source";

/**
 * The typed getters (`getBoolean`, `getString`, `getNumber`, `getJSON`) take a shorter path than
 * `getDetails` (no Resolution object, evaluate.ts `resolveValue`) and a per-namespace index of the
 * flag store. Guarantee: for every flag, type, default and context, each getter returns exactly
 * `getDetails(...).value` — in every outcome (not loaded, not found, type mismatch, static, rule
 * match, no match, split, off, missing prerequisite, unreadable rules, a rule serving another
 * type, no engine) and after puts, deletes and snapshots change the store.
 */
const silent = { warn: () => {}, error: () => {} };
const clients: MizuFlowClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  FakeEventSource.instances = [];
});

function client(withEngine = true): MizuFlowClient {
  const c = createClient({
    url: "http://sdk.test",
    sdkKey: "k",
    EventSource: FakeEventSource,
    reportRevision: false,
    logger: silent,
    ...(withEngine ? { targeting: targetingEngine } : {}),
  });
  clients.push(c);
  return c;
}

const entry = (key: string, type: FlagType, value: JsonValue, targeting?: WireTargeting, namespace = "ns"): FlagEntry => ({
  namespace,
  key,
  type,
  value,
  version: 1,
  ...(targeting ? { targeting } : {}),
});
const tenantRule = { constraints: [{ contextName: "tenant", operator: "IN", values: ["a", "b"] }], serve: { value: true } };
const flags: FlagEntry[] = [
  entry("bool", "boolean", true),
  entry("str", "string", "hi"),
  entry("num", "number", 42),
  entry("cfg", "json", { a: [1, 2] }),
  entry("null-json", "json", null),
  entry("liar", "boolean", "not a boolean"),
  entry("rule", "boolean", false, { rules: [tenantRule] }),
  entry("gate", "boolean", false, { rules: [{ ...tenantRule, gate: { percentage: 50, groupId: "g" } }] }),
  entry("split", "string", "control", {
    variants: [{ name: "a", value: "A" }, { name: "b", value: "B" }],
    // Only contexts with a userId reach the split: without one its bucket is random (no agreement to check).
    rules: [{ constraints: [{ contextName: "tenant", operator: "IN", values: ["a", "b", "z"] }], serve: { split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 50 }] } } }],
  }),
  entry("off", "string", "on-value", { enabled: false, offValue: "off-value" }),
  entry("needs-parent", "boolean", true, { prerequisites: [{ flag: "absent" }] }),
  entry("unreadable", "boolean", true, { rules: "not a list" }),
  entry("wrong-serve", "number", 1, { rules: [{ constraints: [], serve: { value: "a string" } }] }),
  entry("other-ns", "boolean", true, undefined, "other"),
];
const defaults: Record<FlagType, JsonValue> = { boolean: false, string: "dflt", number: -1, json: { d: true } };
const contexts: (EvaluationContext | undefined)[] = [
  undefined,
  {},
  { userId: "u-1", properties: { tenant: "a" } },
  { userId: "u-2", properties: { tenant: "b" } },
  { userId: "u-3", properties: { tenant: "z" } },
  { sessionId: "s-9" },
];

function getter(c: MizuFlowClient, type: FlagType, ns: string, key: string, ctx: EvaluationContext | undefined): JsonValue {
  if (type === "boolean") return c.getBoolean(ns, key, defaults.boolean as boolean, ctx);
  if (type === "string") return c.getString(ns, key, defaults.string as string, ctx);
  if (type === "number") return c.getNumber(ns, key, defaults.number as number, ctx);
  return c.getJSON(ns, key, defaults.json, ctx);
}

/** Every (namespace, key, type, context) against getDetails; returns how many were compared. */
function expectAgreement(c: MizuFlowClient): number {
  let compared = 0;
  const names = [...flags.map((f) => [f.namespace, f.key] as const), ["ns", "missing"] as const, ["nope", "bool"] as const];
  for (const [ns, key] of names) {
    for (const type of ["boolean", "string", "number", "json"] as const) {
      for (const ctx of contexts) {
        const details = c.getDetails(ns, key, type, defaults[type], ctx);
        expect(getter(c, type, ns, key, ctx), `${ns}/${key} as ${type} (${details.reason} ${details.errorCode ?? ""})`).toEqual(details.value);
        compared++;
      }
    }
  }
  return compared;
}

describe("typed getters = getDetails(...).value", () => {
  it("before any snapshot: every getter answers the caller's default, as getDetails does (PROVIDER_NOT_READY)", () => {
    const c = client();
    expect(c.getDetails("ns", "bool", "boolean", false).errorCode).toBe("PROVIDER_NOT_READY");
    expect(expectAgreement(c)).toBeGreaterThan(0);
  });

  it("with the engine: every outcome (static, rules, split, off, prerequisite, unreadable, type mismatches) agrees", () => {
    const c = client();
    FakeEventSource.latest().send("snapshot", 5, { revision: 5, environment: "production", flags });
    // The set really covers the outcomes the getters shortcut.
    const reasons = new Set(flags.flatMap((f) => contexts.map((ctx) => c.getDetails(f.namespace, f.key, f.type, defaults[f.type], ctx).reason)));
    expect([...reasons].sort()).toEqual(["DEFAULT", "DISABLED", "ERROR", "SPLIT", "STATIC", "TARGETING_MATCH"]);
    expect(expectAgreement(c)).toBe(16 * 4 * contexts.length);
  });

  it("without an engine (flags with rules serve their value, reason DEFAULT): agrees", () => {
    const c = client(false);
    FakeEventSource.latest().send("snapshot", 5, { revision: 5, environment: "production", flags });
    expect(c.getDetails("ns", "rule", "boolean", true)).toMatchObject({ value: false, reason: "DEFAULT" });
    expectAgreement(c);
  });

  it("after puts, deletes and a replacing snapshot, the getters see exactly the store's flags (the namespace index follows)", async () => {
    const c = client();
    const es = FakeEventSource.latest();
    es.send("snapshot", 5, { revision: 5, environment: "production", flags });
    es.send("put", 6, { revision: 6, ...entry("fresh", "boolean", true, undefined, "new-ns") });
    es.send("put", 7, { revision: 7, ...entry("bool", "boolean", false), version: 2 });
    es.send("delete", 8, { revision: 8, namespace: "ns", key: "str", version: 2 });
    await new Promise((r) => setTimeout(r, 0)); // the last id's batch is applied on the next tick
    expect(c.revision).toBe(8);
    expect([c.getBoolean("new-ns", "fresh", false), c.getBoolean("ns", "bool", true), c.getString("ns", "str", "gone")]).toEqual([true, false, "gone"]);
    expectAgreement(c);
    es.send("snapshot", 9, { revision: 9, environment: "production", flags: [entry("only", "number", 7, undefined, "other")] });
    expect([c.getNumber("other", "only", 0), c.getBoolean("new-ns", "fresh", false), c.getBoolean("other", "other-ns", false)]).toEqual([7, false, false]);
    expectAgreement(c);
  });
});
