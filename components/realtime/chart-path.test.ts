import { describe, expect, it } from "vitest";
import type { LatencyPoint } from "@/lib/console/realtime-stats";
import { chartPath } from "./chart-path";

const BOX = { width: 600, height: 160, pad: 28, max: 1 };
const point = (ms: number, p50: number | null): LatencyPoint => ({ at: new Date(ms).toISOString(), count: p50 === null ? 0 : 1, p50, p90: p50, p99: p50 });
const moves = (d: string) => d.split(" ").filter((c) => c.startsWith("M")).length;

// The realtime chart's legend promises one point per 5 s and gaps where there is nothing to show:
// these check the drawn path keeps that promise.
describe("latency chart path", () => {
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

  it("joins consecutive 5 s samples into one line", () => {
    const d = chartPath([point(t0, 0.1), point(t0 + 5_000, 0.2), point(t0 + 10_000, 0.3)], "p50", BOX);
    expect(moves(d)).toBe(1);
    expect(d.split("L")).toHaveLength(3);
  });

  it("does not draw a line across a 3-minute gap without samples", () => {
    const d = chartPath([point(t0, 0.1), point(t0 + 5_000, 0.2), point(t0 + 185_000, 0.2), point(t0 + 190_000, 0.1)], "p50", BOX);
    expect(moves(d)).toBe(2);
  });

  it("breaks the line at a slot without changes and still shows a lone point", () => {
    const d = chartPath([point(t0, 0.1), point(t0 + 5_000, null), point(t0 + 10_000, 0.4), point(t0 + 15_000, null)], "p50", BOX);
    expect(moves(d)).toBe(2);
    expect(d).not.toContain("L");
    expect(d.match(/l0,0/g)).toHaveLength(2);
  });

  it("places points by time, so evenly spaced samples are evenly spaced on the chart", () => {
    const d = chartPath([point(t0, 0.1), point(t0 + 5_000, 0.1), point(t0 + 10_000, 0.1)], "p50", BOX);
    const xs = [...d.matchAll(/[ML](\d+\.\d),/g)].map((m) => Number(m[1]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
  });
});
