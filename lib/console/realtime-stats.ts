import { metrics } from "../observability/metrics";

/**
 * Live delivery figures of this app process for the console: open SDK streams (the gauge) and recent
 * commit-to-push latency percentiles. The histogram only counts since start, so recent percentiles
 * come from the difference between snapshots of its buckets taken at least SAMPLE_MS apart; the last
 * HISTORY points are kept for the chart (per process, in memory).
 */
const SAMPLE_MS = 5_000;
const HISTORY = 72; // 6 minutes at one point per 5 s

export interface LatencyPoint {
  at: string;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface RealtimeStats {
  openStreams: number;
  eventsPushed: number;
  /** Percentiles (seconds) over the last minute. */
  lastMinute: LatencyPoint;
  history: LatencyPoint[];
}

interface Snapshot {
  at: number;
  buckets: Map<number, number>; // upper bound -> cumulative count
}

const g = globalThis as unknown as { mizuflowConsoleLatency?: { snaps: Snapshot[]; points: LatencyPoint[] } };
const state = (g.mizuflowConsoleLatency ??= { snaps: [], points: [] });

async function snapshot(): Promise<Snapshot> {
  const data = await metrics.propagationSeconds.get();
  const buckets = new Map<number, number>();
  for (const v of data.values) {
    if (!v.metricName?.endsWith("_bucket")) continue;
    const le = v.labels.le === "+Inf" ? Infinity : Number(v.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + v.value);
  }
  return { at: Date.now(), buckets };
}

/** Percentiles of the observations between two snapshots, interpolated within buckets. */
export function percentilesBetween(older: Map<number, number>, newer: Map<number, number>, at: number): LatencyPoint {
  const bounds = [...newer.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => Math.max(0, (newer.get(b) ?? 0) - (older.get(b) ?? 0)));
  const count = cumulative[cumulative.length - 1] ?? 0;
  const pick = (q: number): number | null => {
    if (!count) return null;
    const rank = q * count;
    for (let i = 0; i < bounds.length; i++) {
      if (cumulative[i]! >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1]!;
        const upper = bounds[i]!;
        if (!Number.isFinite(upper)) return lower; // above the last finite bucket: report its bound
        const below = i === 0 ? 0 : cumulative[i - 1]!;
        const inBucket = cumulative[i]! - below;
        return inBucket ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
      }
    }
    return null;
  };
  return { at: new Date(at).toISOString(), count, p50: pick(0.5), p90: pick(0.9), p99: pick(0.99) };
}

async function sumOf(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((s, v) => s + v.value, 0);
}

export async function readRealtimeStats(): Promise<RealtimeStats> {
  const now = await snapshot();
  const last = state.snaps[state.snaps.length - 1];
  // Samples sit on a fixed 5 s grid (the slot the read falls in), whenever the page happens to poll,
  // so the chart's points are evenly spaced and a slot nobody polled shows as a gap.
  const slot = Math.floor(now.at / SAMPLE_MS) * SAMPLE_MS;
  if (!last || slot > last.at) {
    if (last) state.points.push(percentilesBetween(last.buckets, now.buckets, slot));
    state.snaps.push({ at: slot, buckets: now.buckets });
    if (state.snaps.length > HISTORY + 1) state.snaps.shift();
    if (state.points.length > HISTORY) state.points.shift();
  }
  const minuteAgo = state.snaps.find((s) => now.at - s.at <= 60_000) ?? now;
  return {
    openStreams: await sumOf(metrics.openStreams),
    eventsPushed: await sumOf(metrics.eventsPushed),
    lastMinute: percentilesBetween(minuteAgo === now ? new Map() : minuteAgo.buckets, now.buckets, now.at),
    history: state.points,
  };
}
