import { describe, expect, it } from "vitest";
import { resolveFlag } from "../src/evaluate";
import { FlagStore } from "../src/flag-store";
import { splitFlagKey } from "../src/openfeature/provider-core";

function store() {
  const s = new FlagStore();
  s.applySnapshot({
    revision: 7,
    environment: "production",
    flags: [
      { namespace: "ns", key: "on", type: "boolean", value: true, version: 3 },
      { namespace: "ns", key: "label", type: "string", value: "hi", version: 1 },
      { namespace: "ns", key: "limit", type: "number", value: 42, version: 2 },
      { namespace: "ns", key: "cfg", type: "json", value: { a: 1 }, version: 1 },
    ],
  });
  return s;
}

describe("typed resolution (pure, no network)", () => {
  it("serves each type with STATIC when live and CACHED otherwise", () => {
    const s = store();
    expect(resolveFlag(s, "ready", "ns", "on", "boolean", false)).toEqual({ value: true, reason: "STATIC", version: 3, flagType: "boolean" });
    expect(resolveFlag(s, "stale", "ns", "label", "string", "x")).toMatchObject({ value: "hi", reason: "CACHED" });
    expect(resolveFlag(s, "ready", "ns", "limit", "number", 0).value).toBe(42);
    expect(resolveFlag(s, "ready", "ns", "cfg", "json", {}).value).toEqual({ a: 1 });
  });

  it("answers a type mismatch with the caller's default, reason ERROR and TYPE_MISMATCH", () => {
    const r = resolveFlag(store(), "ready", "ns", "on", "string", "fallback");
    expect(r).toMatchObject({ value: "fallback", reason: "ERROR", errorCode: "TYPE_MISMATCH", flagType: "boolean" });
    expect(r.errorMessage).toContain("boolean");
  });

  it("answers an unknown flag with DEFAULT + FLAG_NOT_FOUND, and no data yet with PROVIDER_NOT_READY", () => {
    expect(resolveFlag(store(), "ready", "ns", "nope", "boolean", true)).toMatchObject({
      value: true,
      reason: "DEFAULT",
      errorCode: "FLAG_NOT_FOUND",
    });
    expect(resolveFlag(new FlagStore(), "connecting", "ns", "on", "boolean", false)).toMatchObject({
      value: false,
      errorCode: "PROVIDER_NOT_READY",
    });
  });

  it("maps OpenFeature flag keys 'namespace/key', or bare keys in the default namespace", () => {
    expect(splitFlagKey("checkout/new-flow")).toEqual({ namespace: "checkout", key: "new-flow" });
    expect(splitFlagKey("new-flow", "checkout")).toEqual({ namespace: "checkout", key: "new-flow" });
    expect(splitFlagKey("new-flow")).toBeNull();
    expect(splitFlagKey("a/b/c")).toBeNull();
    expect(splitFlagKey("/b")).toBeNull();
  });
});
