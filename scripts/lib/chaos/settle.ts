import type { Namespace } from "etcd3";
import type { Db } from "../../../lib/db/client";
import { reconcileOnce, type ReconcileReport } from "../../../workers/reconciler/reconcile-once";
import type { MariaDbHandle } from "../local-services";
import type { ClientFleet } from "./clients";
import type { ChaosMonkey, FaultRecord } from "./faults";
import { outboxCounts, readAllValues } from "./mysql-state";
import type { ClientSpec } from "./protocol";
import { sleep } from "./rng";
import type { ChaosEtcd } from "./services";
import type { AppProc, WorkerProc } from "./stack-procs";
import { clientDrift, etcdDrift, lostCommits, phantomValues, readEtcdState } from "./verify";
import type { WriterProc } from "./writer";

export interface SettleInput {
  db: Db;
  root: Namespace;
  maria: MariaDbHandle;
  etcdSvc: ChaosEtcd;
  workers: WorkerProc[];
  app: AppProc | null;
  writer: WriterProc;
  fleet: ClientFleet;
  specs: ClientSpec[];
  monkey: ChaosMonkey;
  log: (msg: string) => void;
}

export type Settled = Awaited<ReturnType<typeof settleAndCheck>>;

/**
 * The end of a run: everything up again, the writer finishes, the relay drains, etcd is compared
 * with MySQL (before and after one reconcile pass), clients get time to converge, and every check
 * and measurement is gathered.
 */
export async function settleAndCheck(i: SettleInput) {
  const { db, writer, fleet, specs, workers, app, maria, etcdSvc, monkey, log } = i;
  const etcd = { root: i.root };
  // Quiesce: everything up, the writer finishes, the relay drains, one reconcile pass.
  log("chaos over; restoring anything down and stopping the writer");
  if (maria.pid === undefined) await maria.restart();
  for (const m of etcdSvc.members) if (m.pid === undefined) await m.restart();
  for (const w of workers) if (!w.proc.alive) await w.start();
  if (app && !app.proc.alive) await app.start();
  if (!writer.proc.alive) await writer.start();
  await writer.finish();
  const drainStart = Date.now();
  await waitUntil(async () => !(await outboxCounts(db.$client)).pending, 90_000, "the outbox to drain").catch((e: Error) => log(e.message));
  const drainMs = Date.now() - drainStart;
  const rowsBefore = await readAllValues(db.$client);
  const unpublished = etcdDrift(rowsBefore, await readEtcdState(etcd.root));
  let reconcile: ReconcileReport | null = null;
  for (let attempt = 0; attempt < 5 && !reconcile; attempt++) {
    reconcile = await reconcileOnce({ db, root: etcd.root }).catch((e: Error) => (log(`reconcile failed: ${e.message}`), null));
  }
  const rows = await readAllValues(db.$client);
  const etcdState = await readEtcdState(etcd.root);
  const etcdProblems = etcdDrift(rows, etcdState);
  log(`drained in ${drainMs} ms; reconcile repairs ${JSON.stringify(reconcile?.repairs ?? null)}; waiting for clients to converge`);

  let finals = await fleet.finals();
  let clientProblems: string[] = [];
  const converge = Date.now();
  for (;;) {
    clientProblems = finals.flatMap((f) => clientDrift(specs[f.index]!, f, rows));
    if (!clientProblems.length || Date.now() - converge > 30_000) break;
    await sleep(500);
    finals = await fleet.finals();
  }
  const convergeMs = Date.now() - converge;
  const totals = await fleet.totals();
  const observed = Object.assign({}, ...totals.map((t) => t.observed)) as Record<string, string>;
  const lost = lostCommits(writer.commits, rows, etcdState, finals.map((f) => ({ spec: specs[f.index]!, final: f })));
  const phantom = phantomValues(observed, writer.commits);

  // Delivery latency of served changes that stayed served (a removal right after would make "delivered" ambiguous).
  const next = new Map<string, boolean>();
  const timed = [...writer.commits].reverse().filter((c) => {
    const keep = c.via !== "baseline" && c.served && next.get(c.id) !== false;
    next.set(c.id, c.served);
    return keep;
  }).reverse();
  const lat = await fleet.latency(timed.map((c) => [c.id, c.version, c.at]), workers.length);
  const recoveries = await fleet.recovery(monkey.records.map((r: FaultRecord) => ({ server: r.server, after: r.restartAt })));
  const outbox = await outboxCounts(db.$client);
  return { drainMs, unpublished, reconcile, rows, etcdProblems, clientProblems, convergeMs, totals, lost, phantom, timed, lat, recoveries, outbox };
}

export async function waitUntil(fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(fn()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
