import type { ReconcileReport } from "../../../workers/reconciler/reconcile-once";
import type { FaultKind, FaultRecord } from "./faults";
import type { ChaosOptions } from "./options";
import type { ClientTotals, CommitRecord, RecoveryAnswer, WriterStats } from "./protocol";

export interface SummaryInput {
  o: ChaosOptions;
  chaosMs: number;
  mutations: number;
  writer: WriterStats;
  commits: number;
  faults: FaultRecord[];
  recoveries: RecoveryAnswer[];
  timed: CommitRecord[];
  latency: { worst: number[][]; missing: number[] };
  lost: string[];
  etcdProblems: string[];
  unpublished: string[];
  clientProblems: string[];
  phantom: string[];
  totals: ClientTotals[];
  clientsConnected: number;
  outbox: Record<string, number>;
  drainMs: number;
  convergeMs: number;
  reconcile: ReconcileReport | null;
  repairsDuringRun: number;
  leaderChanges: number;
  app: boolean;
  baseDir: string | null;
}

export interface Recovery {
  kind: FaultKind;
  target: string;
  downMs: number;
  /** Restart began -> process ready. */
  restartMs: number;
  /** Restart began -> first change delivered to an affected client (null: none seen). */
  firstEventMs: number | null;
  /** Restart began -> every affected client back in sync (stream kills only). */
  reconnectedMs: number | null;
}

export interface Stall {
  target: string;
  killedAt: number;
  /** Worst commit-to-delivery time of commits made from 1 s before the kill to 3 s after the restart (0 with no such commits). */
  maxDeliveryMs: number;
  commits: number;
}

export interface ChaosSummary {
  mutations: number;
  kills: number;
  killsByKind: Partial<Record<FaultKind, number>>;
  lost: number;
  regressions: number;
  drift: number;
  stuck: number;
  /** Further violations, each must be 0. */
  unpublished: number;
  phantom: number;
  splitBrain: number;
  outOfScope: number;
  violations: number;
  recoveries: Recovery[];
  stalls: Stall[];
  latency: { p50: number; p99: number; max: number; commits: number; beforeFirstFaultMax: number };
  line: string;
  report: string[];
  samples: string[];
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? `p50 ${pct(s, 50)} ms, max ${s[s.length - 1]} ms (n=${s.length})` : "n=0";
};

export function summarise(i: SummaryInput): ChaosSummary {
  const killsByKind: Partial<Record<FaultKind, number>> = {};
  for (const f of i.faults) killsByKind[f.kind] = (killsByKind[f.kind] ?? 0) + 1;
  const regressions = i.totals.reduce((a, t) => a + t.regressions + t.serverRegressions, 0);
  const splitBrain = i.totals.reduce((a, t) => a + t.splitBrain.length, 0);
  const outOfScope = i.totals.reduce((a, t) => a + t.outOfScope, 0);
  const stuck = (i.outbox.pending ?? 0) + (i.outbox.dead ?? 0);
  const drift = i.etcdProblems.length + i.clientProblems.length;
  const violations = i.lost.length + regressions + drift + stuck + i.unpublished.length + i.phantom.length + splitBrain + outOfScope;

  const recoveries: Recovery[] = i.faults.map((f, k) => {
    const a = i.recoveries[k];
    return {
      kind: f.kind,
      target: f.target,
      downMs: f.restartAt - f.killedAt,
      restartMs: f.upAt - f.restartAt,
      firstEventMs: a?.firstEvent != null ? a.firstEvent - f.restartAt : null,
      reconnectedMs: f.server !== null && a?.allReady != null ? a.allReady - f.restartAt : null,
    };
  });

  // Worst delivery per change: over every stream, and over the streams that were not restarting
  // while it was on its way (a killed stream's clients wait for its restart, whatever else happens).
  const restarts = i.faults.flatMap((f, k) =>
    f.server === null ? [] : [{ server: f.server, from: f.killedAt, to: i.recoveries[k]?.allReady ?? f.upAt + 5_000 }],
  );
  const allWorst = i.timed.map((_, k) => Math.max(...i.latency.worst.map((w) => w[k]!)));
  const liveWorst = i.timed.map((c, k) =>
    Math.max(
      -1,
      ...i.latency.worst.map((w, s) => {
        const d = w[k]!;
        const hit = restarts.some((r) => r.server === s && c.at <= r.to && c.at + Math.max(0, d) >= r.from);
        return hit ? -1 : d;
      }),
    ),
  );
  const sortedOf = (xs: number[]) => xs.filter((w) => w >= 0).sort((a, b) => a - b);
  const sorted = sortedOf(liveWorst);
  const sortedAll = sortedOf(allWorst);
  const firstFault = i.faults.length ? Math.min(...i.faults.map((f) => f.killedAt)) : Infinity;
  const before = i.timed.map((c, k) => (c.at < firstFault ? liveWorst[k]! : -1)).filter((w) => w >= 0);
  const stalls: Stall[] = i.faults
    .filter((f) => f.kind === "etcd")
    .map((f) => {
      const idx = i.timed.map((c, k) => (c.at >= f.killedAt - 1_000 && c.at <= f.upAt + 3_000 && liveWorst[k]! >= 0 ? k : -1)).filter((k) => k >= 0);
      return { target: f.target, killedAt: f.killedAt, maxDeliveryMs: Math.max(0, ...idx.map((k) => liveWorst[k]!)), commits: idx.length };
    });

  const kills = i.faults.length;
  const kindList = Object.entries(killsByKind).map(([k, n]) => `${k}=${n}`).join(" ");
  const line = `mutations=${i.mutations} kills=${kills} lost=${i.lost.length} regressions=${regressions} drift=${drift} stuck=${stuck}`;
  const byKind = (kind: FaultKind) => recoveries.filter((r) => r.kind === kind);
  const report = [
    line,
    `  kills: ${kindList || "none"}; leader elections ${i.leaderChanges}; app ${i.app ? "on" : "off"}; chaos ${Math.round(i.chaosMs / 1000)} s`,
    `  other checks: unpublished=${i.unpublished.length} phantom=${i.phantom.length} split=${splitBrain} out_of_scope=${outOfScope}`,
    `  writer: ops ${i.writer.ops} (via app ${i.writer.viaApp}, app failures ${i.writer.appFailures}), errors ${i.writer.errors}, resyncs ${i.writer.resyncs}; commits recorded ${i.commits}`,
    `  clients: ${i.clientsConnected}/${i.o.clients} live at start, ${i.totals.reduce((a, t) => a + t.events, 0)} changes seen, ${i.totals.reduce((a, t) => a + t.notReady, 0)} not ready at the end`,
    `  delivery (commit -> slowest in-scope client, streams not restarting): p50 ${pct(sorted, 50)} ms, p99 ${pct(sorted, 99)} ms, max ${sorted[sorted.length - 1] ?? 0} ms over ${sorted.length} changes; before the first fault max ${Math.max(0, ...before)} ms`,
    `  delivery including clients waiting for their stream's restart: p50 ${pct(sortedAll, 50)} ms, p99 ${pct(sortedAll, 99)} ms, max ${sortedAll[sortedAll.length - 1] ?? 0} ms`,
    ...(["leader", "standby"] as const)
      .filter((k) => byKind(k).length)
      .map((k) => `  recovery ${k} kill (stream restart -> first event / all clients back): ${stat(byKind(k).flatMap((r) => (r.firstEventMs === null ? [] : [r.firstEventMs])))} / ${stat(byKind(k).flatMap((r) => (r.reconnectedMs === null ? [] : [r.reconnectedMs])))}; restart ${stat(byKind(k).map((r) => r.restartMs))}`),
    ...(["etcd", "mysql", "app", "writer"] as const)
      .filter((k) => byKind(k).length)
      .map((k) => `  recovery ${k} kill (restart -> first event): ${stat(byKind(k).flatMap((r) => (r.firstEventMs === null ? [] : [r.firstEventMs])))}; restart ${stat(byKind(k).map((r) => r.restartMs))}`),
    ...(stalls.length
      ? [`  around each etcd kill (changes from 1 s before the kill to 3 s after the restart; with one member this includes its downtime): worst delivery ${stalls.map((s) => (s.commits ? `${s.maxDeliveryMs} ms` : "n/a")).join(", ")}`]
      : []),
    `  end: outbox ${JSON.stringify(i.outbox)}, drained in ${i.drainMs} ms, clients converged in ${i.convergeMs} ms; final reconcile repairs ${JSON.stringify(i.reconcile?.repairs ?? "failed")}; repairs by the leader during the run ${i.repairsDuringRun}`,
    ...(i.baseDir ? [`  data and logs kept in ${i.baseDir}`] : []),
  ];
  const samples = [
    ...i.lost.slice(0, 5).map((s) => `lost: ${s}`),
    ...i.etcdProblems.slice(0, 5).map((s) => `etcd drift: ${s}`),
    ...i.clientProblems.slice(0, 5).map((s) => `client drift: ${s}`),
    ...i.unpublished.slice(0, 5).map((s) => `unpublished after drain: ${s}`),
    ...i.phantom.slice(0, 5).map((s) => `phantom: ${s}`),
    ...i.totals.flatMap((t) => [...t.regressionSamples, ...t.serverRegressionSamples, ...t.splitBrain]).slice(0, 10),
  ];
  if (i.writer.lastErrors.length) report.push(`  last writer errors (retried; not violations): ${i.writer.lastErrors.slice(-3).join(" | ")}`);
  return {
    mutations: i.mutations,
    kills,
    killsByKind,
    lost: i.lost.length,
    regressions,
    drift,
    stuck,
    unpublished: i.unpublished.length,
    phantom: i.phantom.length,
    splitBrain,
    outOfScope,
    violations,
    recoveries,
    stalls,
    latency: { p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] ?? 0, commits: sorted.length, beforeFirstFaultMax: Math.max(0, ...before) },
    line,
    report,
    samples,
  };
}
