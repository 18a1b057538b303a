import { describe, expect, it } from "vitest";
import { countChanges, diffLines, prettyJson } from "./line-diff";

// Guarantee: the side-by-side diff shows every line of both sides exactly once, in order, with
// unchanged lines aligned and changed lines paired on the same row.
describe("diffLines", () => {
  const sides = (rows: ReturnType<typeof diffLines>) => ({
    left: rows.map((r) => r.left?.text).filter((t) => t !== undefined),
    right: rows.map((r) => r.right?.text).filter((t) => t !== undefined),
  });

  it("keeps both sides complete and in order", () => {
    const a = prettyJson({ a: 1, b: [1, 2, 3], c: "x" });
    const b = prettyJson({ a: 1, b: [1, 3, 4], d: true });
    const rows = diffLines(a, b);
    expect(sides(rows)).toEqual({ left: a.split("\n"), right: b.split("\n") });
  });

  it("pairs a changed line with its replacement", () => {
    const rows = diffLines("false", "true");
    expect(rows).toEqual([{ left: { text: "false", kind: "del" }, right: { text: "true", kind: "add" } }]);
    expect(countChanges(rows)).toEqual({ removed: 1, added: 1 });
  });

  it("reports no changes for equal values and handles empty sides", () => {
    expect(countChanges(diffLines("1\n2", "1\n2"))).toEqual({ removed: 0, added: 0 });
    expect(diffLines("", "x")).toEqual([{ left: null, right: { text: "x", kind: "add" } }]);
    expect(prettyJson(undefined)).toBe("");
  });

  it("falls back to a wholesale replacement for huge inputs instead of stalling", () => {
    const big = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join("\n");
    const rows = diffLines(big, `${big}\nmore`);
    expect(sides(rows).right).toHaveLength(3001);
  });
});
