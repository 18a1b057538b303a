import { histogramQuantile } from "./write-stats";

/**
 * Reads histograms and counters out of Prometheus text (the app's /api/metrics and the worker's
 * /metrics). Histograms are cumulative over the process's life, so the bench diffs two scrapes.
 */
export interface HistogramSnapshot {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

function labelsMatch(labelText: string, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labelText.includes(`${k}="${v}"`));
}

export function readHistogram(text: string, name: string, labels: Record<string, string> = {}): HistogramSnapshot {
  const snap: HistogramSnapshot = { buckets: [], count: 0, sum: 0 };
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || !labelsMatch(m[2] ?? "", labels)) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(m[2] ?? "")?.[1] ?? "+Inf";
      snap.buckets.push({ le: le === "+Inf" ? Infinity : Number(le), count: value });
    } else if (m[1] === `${name}_count`) snap.count = value;
    else if (m[1] === `${name}_sum`) snap.sum = value;
  }
  return snap;
}

/** Sum of a counter's samples whose labels match. */
export function readCounter(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const m = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name && labelsMatch(m[2] ?? "", labels)) total += Number(m[3]);
  }
  return total;
}

export function diffHistogram(after: HistogramSnapshot, before: HistogramSnapshot): HistogramSnapshot {
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (before.buckets.find((x) => x.le === b.le)?.count ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** p50/p99 in milliseconds (bucket-interpolated, so only as precise as the bucket bounds). */
export function histogramSummaryMs(h: HistogramSnapshot): { count: number; p50: number; p99: number; mean: number } {
  return {
    count: h.count,
    p50: histogramQuantile(0.5, h.buckets) * 1000,
    p99: histogramQuantile(0.99, h.buckets) * 1000,
    mean: h.count ? (h.sum / h.count) * 1000 : NaN,
  };
}

export async function scrape(url: string, token?: string): Promise<string | null> {
  try {
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}
