/**
 * Chaos SDK clients (a few processes share them): real SDK clients (sdk/src/node.ts), each tied to
 * one stream server, all from 127.0.0.1 like a fleet behind one NAT address (production admission:
 * no per-client source addresses). Every change a client sees is recorded: per key the versions
 * must only grow, every (key, version) must carry one value, and the receipt times answer the
 * parent's recovery and latency questions at the end.
 */
import { appendFileSync } from "node:fs";
import { createClient } from "../../../sdk/src/node";
import type { MizuFlowClient } from "../../../sdk/src/client-api";
import type { FlagChange } from "../../../sdk/src/types";
import { canonical } from "./mysql-state";
import type { ClientFinal, ClientReply, ClientRequest, ClientSpec, ClientTotals, RecoveryAnswer, RecoveryQuery } from "./protocol";

interface Tracked {
  spec: ClientSpec;
  client: MizuFlowClient;
  maxSeen: Map<string, number>;
  /** Per flag id: versions received (non-decreasing) and when. */
  receipts: Map<string, { v: number[]; t: number[] }>;
  readyAt: number[];
}

const tracked: Tracked[] = [];
const serverTimes = new Map<number, number[]>();
const totals: ClientTotals = {
  clients: 0,
  events: 0,
  regressions: 0,
  regressionSamples: [],
  serverRegressions: 0,
  serverRegressionSamples: [],
  observed: {},
  splitBrain: [],
  notReady: 0,
  outOfScope: 0,
};
const send = (m: ClientReply) => process.send?.(m);
const sample = (list: string[], s: string) => list.length < 20 && list.push(s);

// CHAOS_TRACE=<file>: every change and state change seen by the first client of each server, as JSON lines.
const traceFile = process.env.CHAOS_TRACE;
const traced = new Set<number>();
function trace(t: Tracked, what: Record<string, unknown>): void {
  if (traceFile && traced.has(t.spec.index)) appendFileSync(traceFile, JSON.stringify({ t: Date.now(), client: t.spec.index, server: t.spec.server, ...what }) + "\n");
}

function onChange(t: Tracked, c: FlagChange): void {
  const now = Date.now();
  trace(t, { ns: c.namespace, key: c.key, v: c.newVersion ?? null, old: c.oldVersion ?? null, rev: c.revision, src: c.source });
  const id = `${t.spec.environment}/${c.namespace}/${c.key}`;
  totals.events++;
  if (t.spec.namespaces && !t.spec.namespaces.includes(c.namespace)) {
    totals.outOfScope++;
  }
  let times = serverTimes.get(t.spec.server);
  if (!times) serverTimes.set(t.spec.server, (times = []));
  times.push(now);
  if (c.newVersion === undefined) return;
  const before = t.maxSeen.get(id);
  if (before !== undefined && c.newVersion < before) {
    totals.regressions++;
    sample(totals.regressionSamples, `client ${t.spec.index}: ${id} v${before} -> v${c.newVersion} (${c.source})`);
  }
  t.maxSeen.set(id, Math.max(before ?? 0, c.newVersion));
  let r = t.receipts.get(id);
  if (!r) t.receipts.set(id, (r = { v: [], t: [] }));
  if (!r.v.length || c.newVersion >= r.v[r.v.length - 1]!) {
    r.v.push(c.newVersion);
    r.t.push(now);
  }
  const ov = `${id}@${c.newVersion}`;
  const value = canonical(c.newValue);
  const prev = totals.observed[ov];
  if (prev === undefined) totals.observed[ov] = value;
  else if (prev !== value) sample(totals.splitBrain, `${ov}: ${prev} vs ${value}`);
}

function start(specs: ClientSpec[], maxBackoffMs: number): void {
  for (const spec of specs) {
    const t: Tracked = { spec, client: null as unknown as MizuFlowClient, maxSeen: new Map(), receipts: new Map(), readyAt: [] };
    t.client = createClient({
      url: spec.url,
      sdkKey: spec.sdkKey,
      maxBackoffMs,
      logger: {
        warn: (msg: string) => {
          // The SDK keeps the newer version and says so: the server sent an older one.
          if (typeof msg === "string" && msg.includes("ignored older versions")) {
            totals.serverRegressions++;
            sample(totals.serverRegressionSamples, `client ${spec.index}: ${msg}`);
          }
        },
        error: () => {},
      },
    });
    t.client.on("change", (c) => onChange(t, c));
    if (![...tracked].some((x) => x.spec.server === spec.server)) traced.add(spec.index);
    t.client.on("state", (s) => {
      trace(t, { state: s.state, reason: s.reason });
      if (s.state === "ready") t.readyAt.push(Date.now());
    });
    tracked.push(t);
  }
  totals.clients = tracked.length;
  void Promise.all(tracked.map((t) => t.client.ready({ live: true, timeoutMs: 60_000 }).then(() => 1, () => 0))).then((ok) =>
    send({ type: "ready", connected: ok.reduce<number>((a, b) => a + b, 0) }),
  );
}

/** First index whose element is > x (`upper`) or >= x (lower bound) in an ascending array. */
function firstAfter(a: number[], x: number, inclusive = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const before = inclusive ? a[mid]! < x : a[mid]! <= x;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function recovery(q: RecoveryQuery): RecoveryAnswer {
  const servers = q.server === null ? [...serverTimes.keys()] : [q.server];
  let firstEvent: number | null = null;
  for (const s of servers) {
    const times = serverTimes.get(s) ?? [];
    const i = firstAfter(times, q.after);
    if (i < times.length && (firstEvent === null || times[i]! < firstEvent)) firstEvent = times[i]!;
  }
  const affected = tracked.filter((t) => q.server === null || t.spec.server === q.server);
  let allReady: number | null = 0;
  for (const t of affected) {
    const i = firstAfter(t.readyAt, q.after);
    if (i >= t.readyAt.length) {
      allReady = null;
      break;
    }
    allReady = Math.max(allReady, t.readyAt[i]!);
  }
  return { firstEvent, allReady: affected.length ? allReady : null, clients: affected.length };
}

/** Per server and commit: the slowest in-scope client's first receipt of that version (or newer) minus the commit time; -1 if none got it. */
function latency(commits: [string, number, number][], servers: number): { worst: number[][]; missing: number[] } {
  const worst = Array.from({ length: servers }, () => commits.map(() => -1));
  const missing = commits.map(() => 0);
  commits.forEach(([id, version, at], k) => {
    const [env, ns] = id.split("/");
    for (const t of tracked) {
      if (t.spec.environment !== env || (t.spec.namespaces && !t.spec.namespaces.includes(ns!))) continue;
      const r = t.receipts.get(id);
      const i = r ? firstAfter(r.v, version, true) : 0;
      if (!r || i >= r.v.length) {
        missing[k]!++;
        continue;
      }
      const row = worst[t.spec.server]!;
      row[k] = Math.max(row[k]!, Math.max(0, r.t[i]! - at));
    }
  });
  return { worst, missing };
}

function finals(): ClientFinal[] {
  return tracked.map((t) => ({
    index: t.spec.index,
    state: t.client.state,
    revision: t.client.revision,
    flags: Object.fromEntries(t.client.getAll().map((f) => [`${t.spec.environment}/${f.namespace}/${f.key}`, [f.version, canonical(f.value)] as [number, string]])),
  }));
}

process.on("message", (m: ClientRequest) => {
  switch (m.type) {
    case "start":
      return start(m.clients, m.maxBackoffMs);
    case "final":
      return send({ type: "final", rid: m.rid, clients: finals() });
    case "totals":
      totals.notReady = tracked.filter((t) => t.client.state !== "ready").length;
      return send({ type: "totals", rid: m.rid, totals });
    case "recovery":
      return send({ type: "recovery", rid: m.rid, answers: m.queries.map(recovery) });
    case "latency":
      return send({ type: "latency", rid: m.rid, ...latency(m.commits, m.servers) });
  }
});
process.on("SIGTERM", () => void Promise.all(tracked.map((t) => t.client.close())).finally(() => process.exit(0)));
