import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../src/client";
import { resolveFlag } from "../src/evaluate";
import { FlagStore } from "../src/flag-store";
import { applyChanges, EventBatch, type StreamChange } from "../src/local-eval/event-batch";
import { LocalEvaluator } from "../src/local-eval/local-evaluator";
import { targetingEngine } from "../src/local-eval/targeting-entry";
import type { TargetingEngine } from "../src/local-eval/engine-port";
import { parsePut, parseSegment, parseSnapshot } from "../src/protocol";
import { deserializeSnapshot, serializeSnapshot } from "../src/snapshot-store";
import type { EvaluationContext, FlagEntry, JsonValue, Logger, SegmentEntry, UpdateEvent, WireTargeting } from "../src/types";
import { FakeEventSource } from "./support/fake-event-source";

/**
 * The SDK side of targeting, without a network: how the flag store keeps targeting and segments,
 * applies one stream id's events together, compiles lazily and evaluates locally. (The real stream
 * is in targeting-stream.test.ts; agreement with the engine in targeting-agreement.test.ts.)
 */
const silent = { warn: () => {}, error: () => {} };
const inList = (contextName: string, ...values: string[]) => ({ contextName, operator: "IN", values });
const segment = (key: string, version: number, constraints: SegmentEntry["constraints"]): SegmentEntry => ({ namespace: "ns", key, constraints, version });
const flag = (key: string, version: number, targeting?: WireTargeting, value: FlagEntry["value"] = false, type: FlagEntry["type"] = "boolean"): FlagEntry => ({
  namespace: "ns",
  key,
  type,
  value,
  version,
  ...(targeting ? { targeting } : {}),
});
const usesSegment = (seg: string, extra: JsonValue[] = []): WireTargeting => ({ rules: [{ segments: [seg], constraints: extra, serve: { value: true } }] });

function harness(engine: TargetingEngine | null = targetingEngine, logger: Logger = silent) {
  const store = new FlagStore();
  const evaluator = new LocalEvaluator(store, engine, logger);
  const details = (key: string, ctx?: EvaluationContext, type: FlagEntry["type"] = "boolean", def: FlagEntry["value"] = false) =>
    resolveFlag(store, "ready", "ns", key, type, def, ctx, evaluator);
  const on = (key: string, ctx?: EvaluationContext) => details(key, ctx).value;
  return { store, details, on };
}

describe("same-id events are applied together", () => {
  it("an evaluation between two events of one id sees the old revision whole; after the batch, the new one whole", () => {
    const { store, on } = harness();
    // Old: segment beta = plan pro; f serves true to beta. New (one transaction, id 11): beta = plan
    // team, and f also needs country jp. A mix of the two would give `teamOnly` true or keep `proJp` true.
    store.applySnapshot({ revision: 10, environment: "production", flags: [flag("f", 1, usesSegment("beta"))], segments: [segment("beta", 1, [inList("plan", "pro")])] });
    const teamOnly = { properties: { plan: "team" } };
    const proJp = { properties: { plan: "pro", country: "jp" } };
    const teamJp = { properties: { plan: "team", country: "jp" } };
    expect([on("f", teamOnly), on("f", proJp), on("f", teamJp)]).toEqual([false, true, false]);

    const batch = new EventBatch((events) => applyChanges(store, events), 60_000);
    batch.add({ type: "segment", payload: { revision: 11, ...segment("beta", 2, [inList("plan", "team")]) } });
    expect([on("f", teamOnly), on("f", proJp), on("f", teamJp)]).toEqual([false, true, false]);
    batch.add({ type: "put", payload: { revision: 11, ...flag("f", 2, usesSegment("beta", [inList("country", "jp")])) } });
    expect([on("f", teamOnly), on("f", proJp), on("f", teamJp)]).toEqual([false, true, false]);
    expect(store.revision).toBe(10);
    batch.flush();
    expect([on("f", teamOnly), on("f", proJp), on("f", teamJp)]).toEqual([false, false, true]);
    expect(store.revision).toBe(11);
  });

  it("an event of another id applies the previous id first; a discarded (incomplete) id leaves the revision for resume", () => {
    const { store, on } = harness();
    store.applySnapshot({ revision: 10, environment: "production", flags: [flag("a", 1), flag("b", 1)] });
    const applied: number[][] = [];
    const batch = new EventBatch((events) => (applied.push(events.map((e) => e.payload.revision)), applyChanges(store, events)), 60_000);
    batch.add({ type: "put", payload: { revision: 11, ...flag("a", 2, undefined, true) } });
    batch.add({ type: "put", payload: { revision: 11, ...flag("b", 2, undefined, true) } });
    batch.add({ type: "put", payload: { revision: 12, ...flag("a", 3, undefined, false) } });
    expect(applied).toEqual([[11, 11]]);
    expect([on("a"), on("b"), store.revision]).toEqual([true, true, 11]);
    batch.discard();
    expect([on("a"), store.revision, batch.size]).toEqual([true, 11, 0]);
  });

  it("through the client: a segment and a put of one id give one update, after both arrived", async () => {
    const c = createClient({ url: "http://flags.test", sdkKey: "k", EventSource: FakeEventSource, logger: silent, reportRevision: false, targeting: targetingEngine });
    try {
      const es = FakeEventSource.latest();
      es.open();
      es.send("snapshot", 5, { revision: 5, environment: "production", flags: [flag("f", 1, usesSegment("beta"))], segments: [segment("beta", 1, [inList("userId", "u1")])] });
      await c.ready({ live: true });
      const updates: UpdateEvent[] = [];
      c.on("update", (u) => updates.push(u));
      expect(c.getBoolean("ns", "f", false, { userId: "u1" })).toBe(true);
      es.send("segment", 6, { revision: 6, ...segment("beta", 2, [inList("userId", "u2")]), updatedAt: new Date().toISOString() });
      // Until the id is complete the client evaluates the old revision.
      expect([c.getBoolean("ns", "f", false, { userId: "u1" }), c.getBoolean("ns", "f", false, { userId: "u2" })]).toEqual([true, false]);
      es.send("put", 6, { revision: 6, ...flag("f", 2, usesSegment("beta"), false) });
      await new Promise((r) => setTimeout(r, 10));
      expect([c.getBoolean("ns", "f", false, { userId: "u1" }), c.getBoolean("ns", "f", false, { userId: "u2" })]).toEqual([false, true]);
      expect(updates).toHaveLength(1);
      expect(updates[0]!.changes.map((ch) => [ch.key, ch.newVersion, ch.segment])).toEqual([["f", 2, undefined]]);
    } finally {
      await c.close();
      FakeEventSource.instances = [];
    }
  });
});

describe("prerequisites", () => {
  const requires = (...keys: string[]): WireTargeting => ({ prerequisites: keys.map((flag) => ({ flag })), rules: [] });

  it("a flag's change is reported as a change of every flag that requires it, transitively, once each", () => {
    // checkout requires payments, banner requires checkout; audit requires nothing. Their own values
    // and versions do not move, but what they serve does: a subscriber to banner must hear of it.
    const { store, on } = harness();
    const flags = [flag("payments", 1, undefined, true), flag("checkout", 1, requires("payments"), true), flag("banner", 1, requires("checkout", "payments"), true), flag("audit", 1, undefined, true)];
    store.applySnapshot({ revision: 1, environment: "production", flags, segments: [] });
    expect(["checkout", "banner"].map((k) => on(k))).toEqual([true, true]);

    const r = applyChanges(store, [{ type: "put", payload: { revision: 2, ...flag("payments", 2, undefined, false) } }]);
    expect(["checkout", "banner"].map((k) => on(k))).toEqual([false, false]);
    expect(r.changes.map((c) => [c.key, c.prerequisite, c.oldVersion, c.newVersion, c.revision, c.source])).toEqual([
      ["payments", undefined, 1, 2, 2, "put"],
      ["checkout", "payments", 1, 1, 2, "put"],
      ["banner", "payments", 1, 1, 2, "put"],
    ]);
    // A change of a flag nothing requires reports only itself; so does a snapshot that moves nothing.
    expect(applyChanges(store, [{ type: "put", payload: { revision: 3, ...flag("audit", 2, undefined, false) } }]).changes.map((c) => c.key)).toEqual(["audit"]);
    const again = store.applySnapshot({ revision: 4, environment: "production", flags: store.all(), segments: [] });
    expect(again.changes).toEqual([]);
    // A snapshot that changes a prerequisite reports its dependents too.
    const snap = store.applySnapshot({ revision: 5, environment: "production", flags: store.all().map((f) => (f.key === "checkout" ? { ...f, version: 2, value: false } : f)), segments: [] });
    expect(snap.changes.map((c) => [c.key, c.prerequisite])).toEqual([["checkout", undefined], ["banner", "checkout"]]);
  });

  it("through the client: a `change` event for the dependent flag, which the React hooks subscribe to", async () => {
    const c = createClient({ url: "http://flags.test", sdkKey: "k", EventSource: FakeEventSource, logger: silent, reportRevision: false, targeting: targetingEngine });
    try {
      const es = FakeEventSource.latest();
      es.open();
      es.send("snapshot", 5, { revision: 5, environment: "production", flags: [flag("payments", 1, undefined, true), flag("checkout", 1, requires("payments"), true)], segments: [] });
      await c.ready({ live: true });
      const heard: string[] = [];
      c.on("change", (ch) => heard.push(`${ch.key}:${ch.prerequisite ?? "-"}`));
      expect(c.getBoolean("ns", "checkout", true)).toBe(true);
      es.send("put", 6, { revision: 6, ...flag("payments", 2, undefined, false) });
      await new Promise((r) => setTimeout(r, 10));
      expect(c.getBoolean("ns", "checkout", true)).toBe(false);
      expect(heard).toEqual(["payments:-", "checkout:payments"]);
    } finally {
      await c.close();
      FakeEventSource.instances = [];
    }
  });
});

describe("segments", () => {
  it("a rule naming a segment the SDK does not know does not match (never throws); it matches once the segment arrives", () => {
    const { store, details } = harness();
    store.applySnapshot({ revision: 1, environment: "production", flags: [flag("f", 1, usesSegment("later"))] });
    expect(details("f", { userId: "u1" })).toMatchObject({ value: false, reason: "DEFAULT" });
    store.applySegment({ revision: 2, ...segment("later", 1, [inList("userId", "u1")]) });
    expect(details("f", { userId: "u1" })).toMatchObject({ value: true, reason: "TARGETING_MATCH", ruleIndex: 0 });
  });

  it("one segment event flips every flag that uses it at once, reported as a change of each", () => {
    const { store, on } = harness();
    const flags = ["a", "b", "c"].map((k) => flag(k, 1, usesSegment("beta"))).concat(flag("other", 1, { rules: [{ serve: { value: true } }] }));
    store.applySnapshot({ revision: 1, environment: "production", flags, segments: [segment("beta", 1, [inList("userId", "u1")])] });
    const ctx = { userId: "u2" };
    expect(["a", "b", "c", "other"].map((k) => on(k, ctx))).toEqual([false, false, false, true]);
    const r = applyChanges(store, [{ type: "segment", payload: { revision: 2, ...segment("beta", 2, [inList("userId", "u1", "u2")]) } }]);
    expect(["a", "b", "c", "other"].map((k) => on(k, ctx))).toEqual([true, true, true, true]);
    expect(r.changes.map((c) => [c.key, c.segment, c.source, c.oldVersion, c.newVersion])).toEqual([
      ["a", "beta", "segment", 1, 1],
      ["b", "beta", "segment", 1, 1],
      ["c", "beta", "segment", 1, 1],
    ]);
    const del = applyChanges(store, [{ type: "segment-delete", payload: { revision: 3, namespace: "ns", key: "beta", version: 2 } }]);
    expect(del.changes.map((c) => c.key)).toEqual(["a", "b", "c"]);
    expect(["a", "b", "c"].map((k) => on(k, ctx))).toEqual([false, false, false]);
  });

  it("per-key version rules: an older version is ignored, a delete's tombstone holds, a snapshot replaces the set, a replayed id is skipped", () => {
    const { store } = harness();
    store.applySnapshot({ revision: 10, environment: "production", flags: [], segments: [segment("s", 5, []), segment("t", 1, [])] });
    expect(store.applySegment({ revision: 11, ...segment("s", 4, [inList("x", "1")]) })).toMatchObject({ applied: true, regressions: ["segment ns/s"] });
    expect(store.segments.of("ns").get("s")?.version).toBe(5);
    expect(store.applySegment({ revision: 9, ...segment("s", 9, []) }).applied).toBe(false);
    store.applySegmentDelete({ revision: 12, namespace: "ns", key: "s", version: 6 });
    expect(store.applySegment({ revision: 13, ...segment("s", 6, []) }).regressions).toEqual(["segment ns/s"]);
    expect(store.segments.of("ns").has("s")).toBe(false);
    // A snapshot cannot bring back an older version either; keys it lacks are removed.
    store.applySnapshot({ revision: 14, environment: "production", flags: [], segments: [segment("s", 6, [])] });
    expect(store.segments.all()).toEqual([]);
    store.applySnapshot({ revision: 15, environment: "production", flags: [], segments: [segment("s", 7, [])] });
    expect(store.segments.all().map((s) => [s.key, s.version])).toEqual([["s", 7]]);
  });
});

describe("local evaluation", () => {
  it("compiles a flag lazily, once per applied change that concerns it, never per evaluation", () => {
    const counts = { flags: 0, segments: 0 };
    const counting: TargetingEngine = {
      compileFlag: (f, s) => (counts.flags++, targetingEngine.compileFlag(f, s)),
      compileSegments: (s) => (counts.segments++, targetingEngine.compileSegments(s)),
      evaluate: targetingEngine.evaluate,
    };
    const { store, on } = harness(counting);
    store.applySnapshot({ revision: 1, environment: "production", flags: [flag("f", 1, usesSegment("beta")), flag("g", 1, usesSegment("beta"))], segments: [segment("beta", 1, [inList("userId", "u1")])] });
    expect(counts).toEqual({ flags: 0, segments: 0 });
    for (let i = 0; i < 1000; i++) on("f", { userId: `u${i}` });
    expect(counts).toEqual({ flags: 1, segments: 1 });
    store.applyPut({ revision: 2, ...flag("f", 2, usesSegment("beta", [inList("plan", "pro")])) });
    for (let i = 0; i < 1000; i++) on("f", { userId: `u${i}` });
    expect(counts).toEqual({ flags: 2, segments: 1 });
    store.applySegment({ revision: 3, ...segment("beta", 2, [inList("userId", "u2")]) });
    for (let i = 0; i < 1000; i++) (on("f", { userId: `u${i}` }), on("g", { userId: `u${i}` }));
    expect(counts).toEqual({ flags: 4, segments: 2 });
  });

  it("without targeting a flag is its value (STATIC, CACHED while not in sync), with or without a context, as before", () => {
    const { store } = harness();
    store.applySnapshot({ revision: 1, environment: "production", flags: [flag("plain", 3, undefined, true), flag("empty", 4, {}, true)] });
    const ev = new LocalEvaluator(store, targetingEngine, silent);
    expect(resolveFlag(store, "ready", "ns", "plain", "boolean", false, { userId: "u" }, ev)).toEqual({ value: true, reason: "STATIC", version: 3, flagType: "boolean" });
    expect(resolveFlag(store, "stale", "ns", "plain", "boolean", false, undefined, ev)).toMatchObject({ value: true, reason: "CACHED" });
    expect(resolveFlag(store, "ready", "ns", "empty", "boolean", false, undefined, ev)).toMatchObject({ value: true, reason: "STATIC" });
  });

  it("reasons: TARGETING_MATCH, SPLIT with variant and rule index, DEFAULT, DISABLED (even without a context)", () => {
    const { store, details } = harness();
    const targeting: WireTargeting = {
      variants: [{ name: "blue", value: "b" }, { name: "green", value: "g", payload: { type: "string", value: "hi" } }],
      rules: [
        { constraints: [inList("userId", "vip")], serve: { value: "v" } },
        { constraints: [inList("plan", "pro")], serve: { split: { variants: [{ variant: "blue", weight: 0 }, { variant: "green", weight: 1 }] } } },
      ],
    };
    store.applySnapshot({ revision: 1, environment: "production", flags: [flag("s", 1, targeting, "env", "string"), flag("off", 1, { enabled: false, offValue: "o" }, "env", "string")] });
    const str = (key: string, ctx?: EvaluationContext) => details(key, ctx, "string", "dflt");
    expect(str("s", { userId: "vip" })).toMatchObject({ value: "v", reason: "TARGETING_MATCH", ruleIndex: 0 });
    expect(str("s", { userId: "u", properties: { plan: "pro" } })).toMatchObject({ value: "g", reason: "SPLIT", variant: "green", ruleIndex: 1, payload: { type: "string", value: "hi" } });
    expect(str("s", { userId: "u" })).toMatchObject({ value: "env", reason: "DEFAULT" });
    expect(str("s")).toMatchObject({ value: "env", reason: "DEFAULT" });
    expect(str("off")).toMatchObject({ value: "o", reason: "DISABLED" });
  });

  it("never throws: wrong type, a rule value of another type and unreadable targeting answer the default with an error code", () => {
    const { store, details } = harness();
    store.applySnapshot({
      revision: 1,
      environment: "production",
      flags: [
        flag("typed", 1, { rules: [{ serve: { value: "not a boolean" } }] }),
        flag("garbled", 1, { rules: [{ constraints: "nope", serve: { value: true } }] } as unknown as WireTargeting),
        flag("ok", 1, { rules: [{ serve: { value: true } }] }),
        flag("reads", 1, { rules: [{ constraints: [inList("userId", "u")], serve: { value: true } }] }),
      ],
    });
    expect(details("ok", undefined, "string", "d")).toMatchObject({ value: "d", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(details("typed", { userId: "u" }, "boolean", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(details("garbled", { userId: "u" }, "boolean", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "PARSE_ERROR" });
    const hostile = { get userId(): string { throw new Error("boom"); } };
    expect(details("reads", hostile as EvaluationContext, "boolean", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: "GENERAL" });
  });

  it("a client without the engine serves a flag with rules its environment value (DEFAULT) and warns once", () => {
    const warnings: string[] = [];
    const { store, details } = harness(null, { warn: (m: string) => void warnings.push(m), error: () => {} });
    store.applySnapshot({ revision: 1, environment: "production", flags: [flag("f", 1, { rules: [{ serve: { value: true } }] }), flag("g", 1, { rules: [{ serve: { value: true } }] })] });
    expect(details("f", { userId: "u" })).toMatchObject({ value: false, reason: "DEFAULT" });
    expect(details("g")).toMatchObject({ value: false, reason: "DEFAULT" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("@mizuflow/sdk/targeting");
  });
});

describe("protocol parsers", () => {
  it("keep a flag's targeting and the snapshot's segments; a non-object targeting or a malformed segment rejects the payload", () => {
    const targeting = { rules: [{ serve: { value: true } }] };
    expect(parsePut({ revision: 2, ...flag("f", 1), targeting })?.targeting).toEqual(targeting);
    expect(parsePut({ revision: 2, ...flag("f", 1), targeting: null })).not.toHaveProperty("targeting");
    expect(parsePut({ revision: 2, ...flag("f", 1), targeting: [1] })).toBeNull();
    const snap = parseSnapshot({ revision: 3, environment: "e", flags: [{ ...flag("f", 1), targeting }], segments: [segment("s", 1, [inList("x", "1")])] });
    expect(snap?.segments).toEqual([segment("s", 1, [inList("x", "1")])]);
    expect(parseSnapshot({ revision: 3, environment: "e", flags: [] })?.segments).toBeUndefined();
    expect(parseSnapshot({ revision: 3, environment: "e", flags: [], segments: [{ namespace: "ns", key: "s", version: 1, constraints: [{ operator: "IN" }] }] })).toBeNull();
    expect(parseSegment({ revision: 4, namespace: "ns", key: "s", name: "S", constraints: [], version: 2, updatedAt: "x" })).toEqual({ revision: 4, namespace: "ns", key: "s", name: "S", constraints: [], version: 2 });
    const change: StreamChange = { type: "segment", payload: parseSegment({ revision: 4, namespace: "ns", key: "s", constraints: [], version: 2 })! };
    expect(change.payload.revision).toBe(4);
  });
});

describe("local snapshot", () => {
  it("keeps targeting and segments, so a client started offline evaluates the rules it last had", () => {
    const { store } = harness();
    store.applySnapshot({ revision: 9, environment: "production", flags: [flag("f", 2, usesSegment("beta"))], segments: [segment("beta", 3, [inList("userId", "u1")])] });
    const saved = serializeSnapshot("fp", { revision: store.revision, environment: "production", flags: store.all(), segments: store.segments.all() });
    const loaded = deserializeSnapshot("fp", saved);
    if (typeof loaded === "string") throw new Error(loaded);
    const offline = harness();
    offline.store.applySnapshot(loaded, "local");
    expect([offline.on("f", { userId: "u1" }), offline.on("f", { userId: "u2" })]).toEqual([true, false]);
  });
});

afterEach(() => {
  FakeEventSource.instances = [];
});
