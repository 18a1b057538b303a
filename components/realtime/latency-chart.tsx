import type { LatencyPoint } from "@/lib/console/realtime-stats";
import { chartPath } from "./chart-path";

const SERIES = [
  { key: "p50", color: "#0b5cad", label: "p50" },
  { key: "p90", color: "#8a5a00", label: "p90" },
  { key: "p99", color: "#b42318", label: "p99" },
] as const;

const ms = (s: number | null) => (s === null ? "—" : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms` : `${s.toFixed(2)} s`);
export { ms as formatSeconds };

/**
 * A small SVG line chart of recent propagation percentiles, on a time axis of the last 6 minutes
 * (one point per 5 s slot; chart-path.ts draws the gaps). The same numbers are in a visually hidden
 * table for screen readers.
 */
export function LatencyChart({ points }: { points: LatencyPoint[] }) {
  const W = 600;
  const H = 160;
  const pad = 28;
  const max = Math.max(0.01, ...points.flatMap((p) => [p.p50, p.p90, p.p99].filter((v): v is number => v !== null)));
  const path = (key: "p50" | "p90" | "p99") => chartPath(points, key, { width: W, height: H, pad, max });
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Propagation latency percentiles over the last 6 minutes; peak ${ms(max)}`} preserveAspectRatio="none">
        <line x1={pad} y1={H - 18} x2={W - 4} y2={H - 18} stroke="#d0d7de" />
        <text x={2} y={12} fontSize="10" fill="#57606a">{ms(max)}</text>
        <text x={2} y={H - 20} fontSize="10" fill="#57606a">0</text>
        {SERIES.map((s) => (
          <path key={s.key} fill="none" stroke={s.color} strokeWidth={2} strokeLinecap="round" d={path(s.key)} data-series={s.key} />
        ))}
      </svg>
      <figcaption className="legend">
        {SERIES.map((s) => <span key={s.key}><i style={{ background: s.color }} />{s.label}</span>)}
        <span className="muted">{points.length ? "last 6 minutes, one point per 5 s; a gap means no changes were pushed (or no sample was taken)" : "collecting samples…"}</span>
      </figcaption>
      <table className="visually-hidden">
        <caption>Latency samples</caption>
        <thead><tr><th>Time</th><th>Changes</th><th>p50</th><th>p90</th><th>p99</th></tr></thead>
        <tbody>{points.slice(-10).map((p) => <tr key={p.at}><td>{p.at}</td><td>{p.count}</td><td>{ms(p.p50)}</td><td>{ms(p.p90)}</td><td>{ms(p.p99)}</td></tr>)}</tbody>
      </table>
    </figure>
  );
}
