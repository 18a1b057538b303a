import { describe, expect, it } from "vitest";
import { MAX_REVISIONS_PER_GROUP, PresenceTable, compactRevisions, scopeGroupKey, scopeGroupNamespaces, type PresenceEntry } from "./client-presence";

/** The per-process presence table, pure logic (no MySQL or etcd involved). */
const entry = (revision: number, lastSeen: number, extra: Partial<PresenceEntry> = {}): PresenceEntry => ({
  environment: "prod",
  scope: "*",
  revision,
  state: "ready",
  lastSeen,
  ...extra,
});

describe("PresenceTable", () => {
  it("guarantee: a client counts until 25 s after its last report, and a new report renews it", () => {
    const t = new PresenceTable();
    t.record(1, "client-aaaa", entry(10, 0));
    t.record(1, "client-bbbb", entry(12, 10_000));
    expect(t.summary(24_999).clients).toBe(2);
    t.record(1, "client-aaaa", entry(11, 20_000)); // renewed
    expect(t.summary(34_999)).toEqual({ clients: 2, envs: { prod: { "*": [[12, 1], [11, 1]] } } });
    expect(t.summary(35_000)).toEqual({ clients: 1, envs: { prod: { "*": [[11, 1]] } } });
    expect(t.summary(45_000)).toEqual({ clients: 0, envs: {} });
  });

  it("guarantee: memory is bounded: past the cap the client heard from longest ago is evicted", () => {
    const t = new PresenceTable({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) t.record(1, `client-${i}xxxx`, entry(i, i));
    expect(t.size).toBe(3);
    expect(t.list().map((e) => e.revision)).toEqual([2, 3, 4]);
  });

  it("guarantee: one SDK key inventing client ids cannot evict another key's clients (production caps)", () => {
    // Issue 12, item 7: a browser key is public; before the per-key cap, 100,000 made-up ids under
    // it pushed every other key's clients out of the shared table.
    const t = new PresenceTable();
    for (let i = 0; i < 10; i++) t.record(2, `honest-${i}xxxx`, entry(5, 0));
    for (let i = 0; i < 100_001; i++) t.record(1, `forged-${i}`, entry(9, 1));
    expect(t.sizeOf(2)).toBe(10);
    expect(t.sizeOf(1)).toBe(t.maxEntriesPerKey);
    expect(t.maxEntriesPerKey).toBe(25_000);
    // The key's newest clients stay: a full key replaces its own longest-silent one.
    expect(t.get(1, "forged-100000")).toBeDefined();
    expect(t.get(1, "forged-0")).toBeUndefined();
  });

  it("guarantee: a full table takes room from the key holding the most entries, never from a smaller one", () => {
    const t = new PresenceTable({ maxEntries: 6, maxEntriesPerKey: 4 });
    for (let i = 0; i < 2; i++) t.record(1, `small-${i}xxxx`, entry(1, i));
    for (let i = 0; i < 4; i++) t.record(2, `big-${i}xxxxxx`, entry(2, 10 + i));
    t.record(3, "newcomer-xxxx", entry(3, 20));
    expect([t.sizeOf(1), t.sizeOf(2), t.sizeOf(3), t.size]).toEqual([2, 3, 1, 6]);
    expect(t.get(2, "big-0xxxxxx")).toBeUndefined();
  });

  it("guarantee: a 'closed' report removes the client at once; client ids are per SDK key", () => {
    const t = new PresenceTable();
    t.record(1, "same-id-1", entry(5, 0));
    t.record(2, "same-id-1", entry(7, 0, { environment: "staging", scope: "a,b" }));
    expect(t.size).toBe(2);
    t.record(1, "same-id-1", entry(6, 1, { state: "closed" }));
    expect(t.size).toBe(1);
    expect(t.summary(2)).toEqual({ clients: 1, envs: { staging: { "a,b": [[7, 1]] } } });
  });

  it("guarantee: a summary groups by environment and scope, same clients give the same JSON", () => {
    const a = new PresenceTable();
    const b = new PresenceTable();
    const rows: [number, string, PresenceEntry][] = [
      [1, "c1-xxxxxx", entry(3, 0, { scope: "web" })],
      [1, "c2-xxxxxx", entry(3, 0, { scope: "web" })],
      [2, "c3-xxxxxx", entry(4, 0, { environment: "dev" })],
      [3, "c4-xxxxxx", entry(2, 0, { scope: "api,web" })],
    ];
    for (const r of rows) a.record(...r);
    for (const r of [...rows].reverse()) b.record(...r);
    expect(JSON.stringify(a.summary(1))).toBe(JSON.stringify(b.summary(1)));
    expect(a.summary(1).envs).toEqual({ dev: { "*": [[4, 1]] }, prod: { "api,web": [[2, 1]], web: [[3, 2]] } });
  });

  it("guarantee: folding many revisions never over-counts clients at or past a revision", () => {
    const counts = new Map<number, number>();
    for (let r = 1; r <= 200; r++) counts.set(r, 1);
    const folded = compactRevisions(counts);
    expect(folded).toHaveLength(MAX_REVISIONS_PER_GROUP);
    expect(folded.reduce((n, [, c]) => n + c, 0)).toBe(200);
    for (const R of [1, 50, 137, 138, 150, 200]) {
      const exact = [...counts].filter(([r]) => r >= R).length;
      const claimed = folded.filter(([r]) => r >= R).reduce((n, [, c]) => n + c, 0);
      expect(claimed).toBeLessThanOrEqual(exact);
      if (R >= 200 - MAX_REVISIONS_PER_GROUP + 2) expect(claimed).toBe(exact);
    }
  });

  it("scope group keys round-trip", () => {
    expect(scopeGroupKey(null)).toBe("*");
    expect(scopeGroupKey(["web", "api", "web"])).toBe("api,web");
    expect(scopeGroupNamespaces("api,web")).toEqual(["api", "web"]);
    expect(scopeGroupNamespaces("*")).toBeNull();
  });
});
