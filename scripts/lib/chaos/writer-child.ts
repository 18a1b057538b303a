/**
 * Chaos writer (its own process, so it can be SIGKILLed like an app instance): makes changes through
 * the service verbs with the write path's immediate publisher, or through the app's admin API, and
 * reports every commit it knows of. Changes to one flag are serialised, so the writer's model of
 * each flag's versions is exact; after any failure whose outcome is unknown (a killed app, a lost
 * connection) the flag is re-read from MySQL under its row lock and the difference is reported as
 * "baseline" commits. A restarted writer starts by reporting MySQL's state the same way, so a
 * commit whose report died with the previous writer is still accounted for.
 */
import { SYSTEM_ACTOR } from "../../../lib/auth/actor";
import { createDb } from "../../../lib/db/client";
import { createEtcd } from "../../../lib/etcd/client";
import { createImmediatePublisher } from "../../../lib/outbox/immediate-publisher";
import type { ServiceContext } from "../../../lib/core/context";
import { archiveFlag } from "../../../lib/flags/archive-flag";
import { createFlag } from "../../../lib/flags/create-flag";
import { deleteFlag } from "../../../lib/flags/delete-flag";
import type { FlagView } from "../../../lib/flags/schemas";
import { setFlagValue } from "../../../lib/values/set-flag-value";
import { readAllValues, readFlagLocked } from "./mysql-state";
import { absorb, absorbRows, absorbView, nextValue, type FlagModel } from "./writer-model";
import type { CommitRecord, WriterMessage, WriterStart, WriterStats } from "./protocol";
import { rng, sleep } from "./rng";

const send = (m: WriterMessage) => process.send?.(m);
const stats: WriterStats = { ops: 0, viaApp: 0, appFailures: 0, errors: 0, resyncs: 0, lastErrors: [] };
let outgoing: CommitRecord[] = [];
let running = true;

/** Queues commit records for the next flush. (Never `outgoing.push(...f(await x))`: that would push into the array a flush may have sent meanwhile.) */
function record(list: CommitRecord[]): void {
  outgoing.push(...list);
}

function flush(): void {
  if (!outgoing.length) return;
  send({ type: "commits", commits: outgoing });
  outgoing = [];
}

function noteError(what: string, err: unknown): void {
  stats.errors++;
  const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
  stats.lastErrors = [...stats.lastErrors.slice(-9), msg];
}

async function main(start: WriterStart): Promise<void> {
  const db = createDb(process.env.DATABASE_URL!, start.concurrency + 2);
  const etcd = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
  const publish = createImmediatePublisher(db, etcd.root, () => {});
  const ctx: ServiceContext = { db, actor: SYSTEM_ACTOR, onCommitted: publish };
  const r = rng(start.seed);

  // Baseline: whatever MySQL holds now is committed (seed, or commits a killed writer never reported).
  const models = new Map<string, FlagModel>();
  for (const spec of start.flags) models.set(`${spec.namespace}/${spec.key}`, { spec, state: "live", versions: new Map(), counter: 0, busy: false });
  const [deleted] = await db.$client.query("SELECT n.`key` AS ns, f.`key` AS flag FROM flags f JOIN namespaces n ON n.id = f.namespace_id WHERE f.deleted_at IS NOT NULL");
  for (const row of await readAllValues(db.$client)) {
    const m = models.get(`${row.namespace}/${row.key}`);
    if (m) record(absorbRows(m, [row]));
  }
  for (const d of deleted as { ns: string; flag: string }[]) {
    const m = models.get(`${d.ns}/${d.flag}`);
    if (m) m.state = "deleted";
  }
  // Values restart from a per-process offset, so a restarted writer never repeats an old value.
  const offset = (Date.now() % 1_000_000) * 1000;
  for (const m of models.values()) m.counter = offset;
  flush();
  const flusher = setInterval(flush, 50);
  send({ type: "ready" });

  const resync = async (m: FlagModel) => {
    stats.resyncs++;
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await readFlagLocked(db.$client, m.spec.namespace, m.spec.key);
        const [del] = await db.$client.query(
          "SELECT f.deleted_at AS d FROM flags f JOIN namespaces n ON n.id = f.namespace_id WHERE n.`key` = ? AND f.`key` = ?",
          [m.spec.namespace, m.spec.key],
        );
        record(absorbRows(m, rows));
        if ((del as { d: Date | null }[])[0]?.d) m.state = "deleted";
        return;
      } catch (err) {
        noteError("resync", err);
        if (!running && attempt > 20) return;
        await sleep(200);
      }
    }
  };

  const viaApp = async (m: FlagModel, environment: string, value: unknown): Promise<FlagView> => {
    const url = `${start.appUrl}/api/v1/flags/${m.spec.namespace}/${m.spec.key}/values/${environment}`;
    const res = await fetch(url, {
      method: "PUT",
      headers: { authorization: `Bearer ${start.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ value }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`app answered ${res.status}: ${body.slice(0, 200)}`);
    return JSON.parse(body) as FlagView;
  };

  const operate = async (m: FlagModel) => {
    const { namespace, key } = m.spec;
    const environment = start.environments[Math.floor(r() * start.environments.length)]!;
    const roll = r();
    let usedApp = false;
    try {
      if (m.state === "deleted") {
        const values = Object.fromEntries(start.environments.map((e) => [e, nextValue(m)]));
        record(absorbView(m, await createFlag({ ctx, input: { namespace, key, type: m.spec.type, values } }), "verb"));
      } else if (!start.setOnly && m.state === "archived" && roll < 0.6) {
        record(absorbView(m, await archiveFlag({ ctx, input: { namespace, key, archived: false } }), "verb"));
      } else if (!start.setOnly && m.state === "live" && roll < 0.05) {
        record(absorbView(m, await archiveFlag({ ctx, input: { namespace, key, archived: true } }), "verb"));
      } else if (!start.setOnly && m.state === "live" && roll < 0.07) {
        await deleteFlag({ ctx, input: { namespace, key } });
        m.state = "deleted";
        record(absorb(m, [...m.versions].map(([env, v]) => ({ environment: env, version: v + 1, served: false, value: "null" })), "verb"));
      } else if (start.appShare > 0 && start.appUrl && r() < start.appShare) {
        usedApp = true;
        stats.viaApp++;
        record(absorbView(m, await viaApp(m, environment, nextValue(m)), "app"));
      } else {
        record(absorbView(m, await setFlagValue({ ctx, input: { namespace, key, environment, value: nextValue(m) } }), "verb"));
      }
      stats.ops++;
    } catch (err) {
      if (usedApp) stats.appFailures++;
      else noteError(`${namespace}/${key}`, err);
      // Committed or not? Only MySQL knows; ask it under the flag's lock.
      await resync(m);
    }
  };

  const all = [...models.values()];
  const startedAt = Date.now();
  let slot = 0;
  const lane = async () => {
    while (running) {
      const due = startedAt + (slot++ * 1000) / start.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      if (!running) break;
      const free = all.filter((m) => !m.busy);
      if (!free.length) continue;
      const m = free[Math.floor(r() * free.length)]!;
      m.busy = true;
      try {
        await operate(m);
      } finally {
        m.busy = false;
      }
    }
  };
  const statsTimer = setInterval(() => send({ type: "stats", stats }), 1000);
  await Promise.all(Array.from({ length: start.concurrency }, lane));
  clearInterval(statsTimer);
  clearInterval(flusher);
  flush();
  send({ type: "stopped", stats });
  // Give the immediate publisher a moment; whatever it does not finish, the relay publishes.
  await sleep(300);
  process.exit(0);
}

process.on("message", (m: { type?: string }) => {
  if (m?.type === "start") void main(m as WriterStart).catch((err) => {
    console.error("writer failed", err);
    process.exit(1);
  });
  if (m?.type === "stop") running = false;
});
process.on("SIGTERM", () => (running = false));
