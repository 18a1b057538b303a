import type { LatencyPoint } from "@/lib/console/realtime-stats";

/** Points further apart than this (a slot nobody sampled) are not joined by a line. */
export const SLOT_MS = 5_000;
export const WINDOW_MS = 6 * 60_000;

export interface ChartBox {
  width: number;
  height: number;
  pad: number;
  max: number;
}

/**
 * The SVG path of one percentile series on a time axis of the last WINDOW_MS (ending at the newest
 * point). A slot without changes (null) or without a sample (a time gap) starts a new sub-path, so
 * no line is drawn across time the chart has no figure for; a lone point is drawn as a dot.
 */
export function chartPath(points: LatencyPoint[], key: "p50" | "p90" | "p99", box: ChartBox): string {
  if (!points.length) return "";
  const end = Date.parse(points[points.length - 1]!.at);
  const x = (at: number) => box.pad + ((at - (end - WINDOW_MS)) / WINDOW_MS) * (box.width - box.pad - 8);
  const y = (v: number) => box.height - 18 - (v / box.max) * (box.height - 30);
  let d = "";
  let prev: LatencyPoint | null = null;
  for (const p of points) {
    const v = p[key];
    const at = Date.parse(p.at);
    if (v !== null && at >= end - WINDOW_MS) {
      const joined = prev !== null && prev[key] !== null && at - Date.parse(prev.at) <= SLOT_MS;
      const xy = `${x(at).toFixed(1)},${y(v).toFixed(1)}`;
      // "l0,0" after a move: with a round line cap a lone point still shows as a dot.
      d += joined ? `L${xy} ` : `M${xy} l0,0 `;
    }
    prev = p;
  }
  return d.trim();
}
