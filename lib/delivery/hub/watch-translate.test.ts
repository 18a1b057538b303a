import type { IEvent } from "etcd3";
import { describe, expect, it } from "vitest";
import { HubState } from "./hub-state";
import { makeScope } from "./scope";
import { applyWatchEvents } from "./watch-translate";

const kv = (type: "Put" | "Delete", key: string, rev: number, value: unknown = ""): IEvent =>
  ({
    type,
    kv: {
      key: Buffer.from(key),
      value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
      mod_revision: String(rev),
      create_revision: "1",
      version: "1",
      lease: "0",
    },
    prev_kv: undefined,
  }) as unknown as IEvent;

const doc = (ns: string, key: string, version: number, value: unknown = true) => ({
  namespace: ns,
  key,
  type: "boolean",
  value,
  version,
  updatedAt: "2030-01-01T00:00:00.000Z",
});

describe("applyWatchEvents", () => {
  it("turns a fenced delete (doc delete + tombstone put, one revision) into one delete with the tombstone's version", () => {
    const state = new HubState();
    applyWatchEvents(state, [kv("Put", "flags/prod/ns/a", 5, doc("ns", "a", 3))]);
    const { events, maxRevision } = applyWatchEvents(state, [
      kv("Delete", "flags/prod/ns/a", 9),
      kv("Put", "tombstones/prod/ns/a", 9, { namespace: "ns", key: "a", version: 4, deletedAt: "2030-01-01T00:00:01.000Z" }),
    ]);
    expect(maxRevision).toBe(9);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "delete", revision: 9, environment: "prod", namespace: "ns", key: "a", version: 4 });
    expect(events[0]!.committedAtMs).toBe(Date.parse("2030-01-01T00:00:01.000Z"));
    expect(state.get("prod", "ns", "a")).toBeUndefined();
  });

  it("takes a raw delete's version from the document it removed", () => {
    const state = new HubState();
    applyWatchEvents(state, [kv("Put", "flags/prod/ns/a", 5, doc("ns", "a", 7))]);
    const { events } = applyWatchEvents(state, [kv("Delete", "flags/prod/ns/a", 6)]);
    expect(events[0]).toMatchObject({ type: "delete", version: 7 });
  });

  it("ignores tombstone deletes, foreign keys and unparsable documents, but keeps their revisions", () => {
    const state = new HubState();
    const invalid: string[] = [];
    const { events, maxRevision } = applyWatchEvents(
      state,
      [
        kv("Put", "flags/prod/ns/a", 3, doc("ns", "a", 1)),
        kv("Delete", "tombstones/prod/ns/a", 3),
        kv("Put", "election/worker/1", 4, "x"),
        kv("Put", "flags/prod/ns/b", 5, "{not json"),
        kv("Put", "flags/bad path/x", 6, doc("ns", "x", 1)),
      ],
      (k) => invalid.push(k),
    );
    expect(events.map((e) => [e.type, e.key])).toEqual([["put", "a"]]);
    expect(invalid).toEqual(["flags/prod/ns/b"]);
    expect(maxRevision).toBe(6);
  });

  it("takes namespace and key from the etcd path, never from the document body (scope safety)", () => {
    const state = new HubState();
    const { events } = applyWatchEvents(state, [kv("Put", "flags/prod/ns/a", 3, doc("other-ns", "zzz", 1))]);
    expect(events[0]).toMatchObject({ namespace: "ns", key: "a" });
    expect(state.flagsIn(makeScope("prod", ["other-ns"]))).toEqual([]);
    expect(state.flagsIn(makeScope("prod", ["ns"]))).toEqual([{ namespace: "ns", key: "a", type: "boolean", value: true, version: 1 }]);
  });

  it("tracks the last change per scope, tombstones included (ETag input)", () => {
    const state = new HubState();
    applyWatchEvents(state, [kv("Put", "flags/prod/a/x", 3, doc("a", "x", 1)), kv("Put", "flags/prod/b/y", 4, doc("b", "y", 1))]);
    applyWatchEvents(state, [kv("Put", "tombstones/prod/a/gone", 8, { namespace: "a", key: "gone", version: 2, deletedAt: "x" })]);
    expect(state.lastChangeIn(makeScope("prod", ["a"]))).toBe(8);
    expect(state.lastChangeIn(makeScope("prod", ["b"]))).toBe(4);
    expect(state.lastChangeIn(makeScope("prod", null))).toBe(8);
    expect(state.lastChangeIn(makeScope("staging", null))).toBe(0);
  });
});
