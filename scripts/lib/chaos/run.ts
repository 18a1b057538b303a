import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeDb, createDb } from "../../../lib/db/client";
import { migrateDatabase } from "../../../lib/db/migrate";
import { createEtcd } from "../../../lib/etcd/client";
import { freePort } from "../local-services";
import { prepareEntrypoints } from "./bundle";
import { ClientFleet } from "./clients";
import { ChaosMonkey } from "./faults";
import { outboxCounts, readAllValues } from "./mysql-state";
import type { ChaosOptions } from "./options";
import type { ClientSpec } from "./protocol";
import { rng, sleep } from "./rng";
import { seedWorld } from "./seed";
import { startChaosEtcd, startChaosMariaDb } from "./services";
import { AppProc, snapshotAppBuild, WorkerProc, type SharedEnv } from "./stack-procs";
import { settleAndCheck, waitUntil } from "./settle";
import { summarise, type ChaosSummary } from "./summary";
import { WriterProc } from "./writer";

const PREFIX = "/mizuflow/v1/";

/**
 * One chaos run, start to verdict: MariaDB + etcd (one member or a cluster), two workers that each
 * also serve the SDK stream, optionally the app, SDK clients in a few processes, a writer; faults
 * for `seconds`; then drain, one reconcile pass and the checks. Everything runs on loopback under
 * a temporary directory that is removed at the end (unless `keep`).
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosSummary> {
  const t0 = Date.now();
  const log = (msg: string) => {
    if (!o.quiet) console.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  };
  const baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-chaos-"));
  const logDir = baseDir;
  const cleanups: (() => Promise<unknown>)[] = [];
  let keep = o.keep;
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    if (!keep) await rm(baseDir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    log(`base dir ${baseDir}; starting MariaDB and etcd (${o.etcdMembers} member${o.etcdMembers > 1 ? "s" : ""})`);
    const [maria, etcdSvc] = await Promise.all([startChaosMariaDb(baseDir), startChaosEtcd(baseDir, o.etcdMembers)]);
    cleanups.push(() => maria.stop(), () => etcdSvc.stopAll());
    const entry = await prepareEntrypoints({ tsx: o.tsx });
    cleanups.push(() => entry.remove());
    await migrateDatabase(maria.url);
    const db = createDb(maria.url, 4);
    const etcd = createEtcd(etcdSvc.endpoints, PREFIX);
    cleanups.push(async () => {
      etcd.client.close();
      await closeDb(db);
    });
    const world = await seedWorld(db, { envs: o.envs, flags: o.flags });
    const seededVersions = (await readAllValues(db.$client)).reduce((a, r) => a + r.version, 0);
    const env: SharedEnv = {
      DATABASE_URL: maria.url,
      ETCD_ENDPOINTS: etcdSvc.endpoints.join(","),
      ETCD_PREFIX: PREFIX,
      AUTH_SECRET: randomBytes(32).toString("base64"),
    };

    const workers: WorkerProc[] = [];
    for (let i = 0; i < 2; i++) {
      workers.push(new WorkerProc(i, await freePort(), env, logDir, { reconcileIntervalMs: o.reconcileIntervalMs, leaseTtlSeconds: o.leaseTtlSeconds, args: entry.worker }));
    }
    cleanups.push(() => Promise.all(workers.map((w) => w.proc.close())));
    await Promise.all(workers.map((w) => w.start()));
    log(`workers up, streams on ${workers.map((w) => w.streamPort).join(", ")}`);
    await waitUntil(() => workers.some((w) => w.leader), 30_000, "a leader");
    await waitUntil(async () => !(await outboxCounts(db.$client)).pending, 60_000, "the seed to be published");

    let app: AppProc | null = null;
    if (o.app) {
      const appDir = await snapshotAppBuild(path.join(baseDir, "app"));
      if (!appDir && o.app === true) throw new Error("--app: no complete build in .next (run `npx next build`)");
      if (appDir) {
        app = new AppProc(await freePort(), env, logDir, appDir);
        cleanups.push(() => app!.proc.close());
        await app.start();
        log(`app up on ${app.url}`);
      } else log("no app build found: writing through the service verbs only");
    }

    const specs: ClientSpec[] = Array.from({ length: o.clients }, (_, i) => {
      const key = world.sdkKeys[Math.floor(i / workers.length) % world.sdkKeys.length]!;
      const server = i % workers.length;
      return {
        index: i,
        server,
        url: workers[server]!.url,
        sdkKey: key.key,
        environment: key.environment,
        namespaces: key.namespaces,
      };
    });
    const fleet = new ClientFleet(Math.min(o.clientProcs, o.clients), logDir, entry.clients);
    cleanups.push(() => fleet.stop());
    const connected = await fleet.start(specs, o.maxBackoffMs);
    log(`${connected}/${o.clients} SDK clients live`);

    const writer = new WriterProc(env, logDir, {
      flags: world.flags,
      environments: world.environments,
      seed: o.seed,
      rate: o.rate,
      concurrency: o.writerConcurrency,
      appShare: app ? 0.3 : 0,
      appUrl: app?.url,
      apiToken: world.apiToken,
      setOnly: o.setOnly,
    }, entry.writer);
    cleanups.push(() => writer.proc.close());
    await writer.start();
    const chaosStart = Date.now();
    log(`writer started; chaos for ${o.seconds}s (faults: ${o.faults.join(", ") || "none"})`);

    const monkey = new ChaosMonkey({ mysql: maria, workers, etcd: etcdSvc, app, writer }, { kinds: o.faults, random: rng(o.seed), gapMs: o.gapMs, downMs: o.downMs, log });
    await monkey.run(o.seconds * 1000);
    await sleep(Math.max(0, chaosStart + o.seconds * 1000 - Date.now()));
    const chaosEnd = Date.now();

    const { drainMs, unpublished, reconcile, rows, etcdProblems, clientProblems, convergeMs, totals, lost, phantom, timed, lat, recoveries, outbox } =
      await settleAndCheck({ db, root: etcd.root, maria, etcdSvc, workers, app, writer, fleet, specs, monkey, log });
    if (o.keep) {
      // For digging into a run: every timed change with its worst delivery, and the faults.
      const timeline = timed.map((c, k) => ({ id: c.id, v: c.version, at: c.at - chaosStart, worst: lat.worst.map((w) => w[k]), missing: lat.missing[k] }));
      const faults = monkey.records.map((f) => ({ ...f, killedAt: f.killedAt - chaosStart, restartAt: f.restartAt - chaosStart, upAt: f.upAt - chaosStart }));
      await writeFile(path.join(baseDir, "timeline.json"), JSON.stringify({ chaosStart: new Date(chaosStart).toISOString(), timeline, faults }));
    }

    return summarise({
      o,
      chaosMs: chaosEnd - chaosStart,
      mutations: rows.reduce((a, r) => a + r.version, 0) - seededVersions,
      writer: writer.stats(),
      commits: writer.commits.length,
      faults: monkey.records,
      recoveries,
      timed,
      latency: lat,
      lost,
      etcdProblems,
      unpublished,
      clientProblems,
      phantom,
      totals,
      clientsConnected: connected,
      outbox,
      drainMs,
      convergeMs,
      reconcile,
      repairsDuringRun: workers.reduce((a, w) => a + w.repairs, 0),
      leaderChanges: workers.reduce((a, w) => a + w.leaderEvents.filter((e) => e.elected).length, 0),
      app: !!app,
      baseDir: o.keep ? baseDir : null,
    });
  } catch (err) {
    keep = true; // the logs of every process are in there
    throw new Error(`chaos run failed (logs kept in ${baseDir}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    await cleanup();
  }
}
