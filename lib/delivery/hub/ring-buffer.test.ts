import { describe, expect, it } from "vitest";
import type { HubEvent } from "./hub-types";
import { EventRing } from "./ring-buffer";

const ev = (revision: number): HubEvent => ({
  type: "delete",
  revision,
  environment: "e",
  namespace: "n",
  key: `k${revision}`,
  version: revision,
  committedAtMs: Number.NaN,
  frame: null,
});

describe("EventRing", () => {
  it("replays exactly the events after an id while it still holds all of them", () => {
    const ring = new EventRing(4, 10);
    [11, 12, 14].forEach((r) => ring.push(ev(r)));
    expect(ring.since(10)!.map((e) => e.revision)).toEqual([11, 12, 14]);
    expect(ring.since(12)!.map((e) => e.revision)).toEqual([14]);
    expect(ring.since(13)!.map((e) => e.revision)).toEqual([14]);
    expect(ring.since(14)).toEqual([]);
    expect(ring.since(99)).toEqual([]);
    expect(ring.since(9)).toBeNull();
  });

  it("raises its floor as it evicts, so an id before the evicted events gets null (snapshot)", () => {
    const ring = new EventRing(3, 0);
    for (let r = 1; r <= 7; r++) ring.push(ev(r));
    expect(ring.size).toBe(3);
    expect(ring.floor).toBe(4);
    expect(ring.since(3)).toBeNull();
    expect(ring.since(4)!.map((e) => e.revision)).toEqual([5, 6, 7]);
  });

  it("treats a partly evicted revision as gone for ids before it", () => {
    const ring = new EventRing(2, 0);
    [ev(1), ev(2), ev(2)].forEach((e) => ring.push(e));
    expect(ring.floor).toBe(1);
    ring.push(ev(3));
    expect(ring.floor).toBe(2);
    expect(ring.since(1)).toBeNull();
    expect(ring.since(2)!.map((e) => e.revision)).toEqual([3]);
  });

  it("reset forgets everything before the new floor", () => {
    const ring = new EventRing(3, 0);
    ring.push(ev(1));
    ring.reset(50);
    expect(ring.since(1)).toBeNull();
    expect(ring.since(50)).toEqual([]);
  });
});
