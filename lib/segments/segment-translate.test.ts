import type { IEvent } from "etcd3";
import { describe, expect, it } from "vitest";
import { HubState } from "../delivery/hub/hub-state";
import { makeScope } from "../delivery/hub/scope";
import { applyWatchEvents } from "../delivery/hub/watch-translate";

/**
 * Issue 14, the watch hub's translation of segment keys: within one etcd revision (one
 * transaction) segment events come before flag events whatever the etcd order, so a client
 * applying them in order never sees a rule before its segment; a fenced segment delete is one
 * `segment-delete` with the tombstone's version; segment keys never count as flags.
 */
const kv = (type: "Put" | "Delete", key: string, rev: number, value: unknown = ""): IEvent =>
  ({
    type,
    kv: { key: Buffer.from(key), value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), mod_revision: String(rev), create_revision: "1", version: "1", lease: "0" },
    prev_kv: undefined,
  }) as unknown as IEvent;

const at = "2030-01-01T00:00:00.000Z";
const seg = (key: string, version: number) => ({ namespace: "ns", key, constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], version, updatedAt: at });
const flag = (key: string, version: number, targeting?: object) => ({ namespace: "ns", key, type: "boolean", value: false, version, updatedAt: at, ...(targeting ? { targeting } : {}) });

describe("segment keys in the watch hub", () => {
  it("orders segment events before flag events of the same revision and keeps targeting on the flag", () => {
    const state = new HubState();
    const { events } = applyWatchEvents(state, [
      kv("Put", "flags/prod/ns/a", 7, flag("a", 2, { rules: [{ segments: ["pro"], serve: { value: true } }] })),
      kv("Put", "segments/prod/ns/pro", 7, seg("pro", 1)),
    ]);
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(["segment pro", "put a"]);
    expect(state.size).toBe(1);
    const scope = makeScope("prod", ["ns"]);
    expect(state.segmentsIn(scope)).toEqual([{ namespace: "ns", key: "pro", constraints: seg("pro", 1).constraints, version: 1 }]);
    expect(state.flagsIn(scope)[0]!.targeting).toEqual({ rules: [{ segments: ["pro"], serve: { value: true } }] });
    expect(state.lastChangeIn(scope)).toBe(7);
    expect(state.segmentsIn(makeScope("prod", ["other"]))).toEqual([]);
  });

  it("turns a fenced segment delete into one segment-delete with the tombstone's version", () => {
    const state = new HubState();
    applyWatchEvents(state, [kv("Put", "segments/prod/ns/pro", 3, seg("pro", 1))]);
    const { events } = applyWatchEvents(state, [
      kv("Delete", "segments/prod/ns/pro", 9),
      kv("Put", "segment-tombstones/prod/ns/pro", 9, { namespace: "ns", key: "pro", version: 2, deletedAt: at }),
    ]);
    expect(events).toEqual([expect.objectContaining({ type: "segment-delete", revision: 9, namespace: "ns", key: "pro", version: 2 })]);
    expect(state.segment("prod", "ns", "pro")).toBeUndefined();
    expect(state.lastChangeIn(makeScope("prod", null))).toBe(9);
  });
});
