import { describe, expect, it } from "vitest";
import { FlagStore } from "../src/flag-store";
import type { FlagEntry } from "../src/types";

const flag = (key: string, value: FlagEntry["value"], version: number, type: FlagEntry["type"] = "boolean"): FlagEntry => ({
  namespace: "checkout",
  key,
  type,
  value,
  version,
});

describe("FlagStore (pure state machine, no network)", () => {
  it("applies events in revision order: an id below the applied revision is a replay and is skipped", () => {
    const s = new FlagStore();
    s.applySnapshot({ revision: 10, environment: "production", flags: [flag("a", false, 1)] });
    expect(s.applyPut({ revision: 9, ...flag("a", true, 2) }).applied).toBe(false);
    expect(s.get("checkout", "a")?.value).toBe(false);
    const r = s.applyPut({ revision: 11, ...flag("a", true, 2) });
    expect(r.applied).toBe(true);
    expect(r.changes).toEqual([
      expect.objectContaining({ key: "a", oldValue: false, newValue: true, oldVersion: 1, newVersion: 2, revision: 11, source: "put" }),
    ]);
    expect(s.revision).toBe(11);
  });

  it("applies every event of one etcd transaction (same id, several keys); a true duplicate changes nothing", () => {
    const s = new FlagStore();
    s.applySnapshot({ revision: 10, environment: "production", flags: [flag("a", false, 1), flag("b", false, 1)] });
    expect(s.applyPut({ revision: 11, ...flag("a", true, 2) }).changes).toHaveLength(1);
    expect(s.applyPut({ revision: 11, ...flag("b", true, 2) }).changes).toHaveLength(1);
    expect(s.applyPut({ revision: 11, ...flag("b", true, 2) }).changes).toEqual([]);
    expect(s.all().map((f) => f.value)).toEqual([true, true]);
  });

  it("never lets a key's version go backwards (put, delete and snapshot), while the revision advances", () => {
    const s = new FlagStore();
    s.applySnapshot({ revision: 10, environment: "production", flags: [flag("a", true, 5)] });
    const put = s.applyPut({ revision: 12, ...flag("a", false, 4) });
    expect(put).toMatchObject({ applied: true, changes: [], regressions: ["checkout/a"] });
    expect(s.revision).toBe(12);
    expect(s.applyDelete({ revision: 13, namespace: "checkout", key: "a", version: 3 }).regressions).toEqual(["checkout/a"]);
    expect(s.get("checkout", "a")).toMatchObject({ value: true, version: 5 });
    // A lagging snapshot (lower revision, older version) keeps the newer version of the key.
    const snap = s.applySnapshot({ revision: 11, environment: "production", flags: [flag("a", false, 4)] });
    expect(snap.regressions).toEqual(["checkout/a"]);
    expect(snap.changes).toEqual([]);
    expect(s.get("checkout", "a")).toMatchObject({ value: true, version: 5 });
    expect(s.revision).toBe(11);
  });

  it("a delete leaves a tombstone: an older put or snapshot entry cannot bring the key back, a newer one can", () => {
    const s = new FlagStore();
    s.applySnapshot({ revision: 1, environment: "production", flags: [flag("a", true, 3)] });
    expect(s.applyDelete({ revision: 2, namespace: "checkout", key: "a", version: 4 }).changes).toEqual([
      expect.objectContaining({ key: "a", oldValue: true, newValue: undefined, oldVersion: 3, newVersion: undefined, source: "delete" }),
    ]);
    expect(s.applyPut({ revision: 3, ...flag("a", true, 4) }).changes).toEqual([]);
    expect(s.applySnapshot({ revision: 4, environment: "production", flags: [flag("a", true, 3)] }).changes).toEqual([]);
    expect(s.get("checkout", "a")).toBeUndefined();
    expect(s.applyPut({ revision: 5, ...flag("a", false, 5) }).changes).toHaveLength(1);
    expect(s.get("checkout", "a")).toMatchObject({ value: false, version: 5 });
  });

  it("a snapshot replaces the state and reports exactly what differs", () => {
    const s = new FlagStore();
    const first = s.applySnapshot({
      revision: 5,
      environment: "production",
      flags: [flag("same", true, 1), flag("changed", 1, 1, "number"), flag("gone", "x", 1, "string")],
    });
    expect(first.changes.map((c) => c.key).sort()).toEqual(["changed", "gone", "same"]);
    const second = s.applySnapshot({
      revision: 9,
      environment: "production",
      flags: [flag("same", true, 1), flag("changed", 2, 2, "number"), flag("new", { a: [1] }, 1, "json")],
    });
    const byKey = Object.fromEntries(second.changes.map((c) => [c.key, c]));
    expect(Object.keys(byKey).sort()).toEqual(["changed", "gone", "new"]);
    expect(byKey.changed).toMatchObject({ oldValue: 1, newValue: 2, source: "snapshot", revision: 9 });
    expect(byKey.gone).toMatchObject({ oldValue: "x", newValue: undefined, newVersion: undefined });
    expect(byKey.new).toMatchObject({ oldValue: undefined, newValue: { a: [1] } });
    expect(s.all().map((f) => f.key).sort()).toEqual(["changed", "new", "same"]);
  });

  it("accepts the same version with another value (a reconciler restatement) and ignores an identical one", () => {
    const s = new FlagStore();
    s.applySnapshot({ revision: 1, environment: "production", flags: [flag("a", { x: 1 }, 2, "json")] });
    expect(s.applyPut({ revision: 2, ...flag("a", { x: 1 }, 2, "json") }).changes).toEqual([]);
    expect(s.applyPut({ revision: 3, ...flag("a", { x: 2 }, 2, "json") }).changes).toHaveLength(1);
  });
});
