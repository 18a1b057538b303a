import { setTargeting } from "../../lib/rules/targeting-verbs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { closeDb, createDb, type Db } from "../../lib/db/client";
import { migrateDatabase } from "../../lib/db/migrate";
import { createEtcd, type EtcdHandle } from "../../lib/etcd/client";
import { createImmediatePublisher } from "../../lib/outbox/immediate-publisher";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { ensureBinaries, startEtcd, startMariaDb } from "../../scripts/lib/local-services";

export const BENCH_FLAG = { namespace: "bench", key: "propagation", environment: "production" };

export interface BenchStack {
  databaseUrl: string;
  etcdEndpoints: string[];
  etcdPrefix: string;
  db: Db;
  etcd: EtcdHandle;
  hermetic: boolean;
  /** Commits one flag change through the service verb, published at once by the write path; returns its version. */
  change(value: boolean): Promise<number>;
  /** Commits a rules change instead (issue 14): a rule whose IN list alternates; returns its version. */
  changeRules(flip: boolean): Promise<number>;
  newSdkKey(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** DATABASE_URL/ETCD_ENDPOINTS when set, else a private MariaDB and etcd; migrated and seeded. */
export async function startStack(): Promise<BenchStack> {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  let etcdEndpoints = process.env.ETCD_ENDPOINTS?.split(",").map((s) => s.trim()).filter(Boolean);
  const hermetic = !databaseUrl || !etcdEndpoints?.length;
  const base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-propagation-"));
  stops.push(() => rm(base, { recursive: true, force: true }));
  if (hermetic) {
    await ensureBinaries({ mariadb: true, etcd: true });
    const [maria, etcd] = await Promise.all([startMariaDb({ baseDir: base, database: "mizuflow_bench" }), startEtcd({ baseDir: base })]);
    stops.unshift(() => maria.stop(), () => etcd.stop());
    databaseUrl = maria.url;
    etcdEndpoints = etcd.endpoints;
  } else {
    // Shared servers: a fresh database and prefix so nothing of the run collides with real data.
    const u = new URL(databaseUrl!);
    u.pathname = `/mf_bench_${Date.now()}`;
    databaseUrl = u.toString();
  }
  const etcdPrefix = `/mizuflow-bench-${Date.now()}/v1/`;
  await migrateDatabase(databaseUrl!);
  const db = createDb(databaseUrl!, 8);
  const etcd = createEtcd(etcdEndpoints!, etcdPrefix);
  stops.unshift(async () => {
    await etcd.client.delete().prefix(etcdPrefix).exec().catch(() => {});
    etcd.client.close();
    await closeDb(db);
  });

  const ctx = { db, actor: SYSTEM_ACTOR };
  await createEnvironment({ ctx, input: { key: BENCH_FLAG.environment, name: "Production" } });
  await createNamespace({ ctx, input: { key: BENCH_FLAG.namespace, name: "Benchmark" } });
  const publishing = { ...ctx, onCommitted: createImmediatePublisher(db, etcd.root, (m, e) => console.error(`[bench] ${m}`, e)) };
  await createFlag({ ctx: publishing, input: { namespace: BENCH_FLAG.namespace, key: BENCH_FLAG.key, type: "boolean" } });

  return {
    databaseUrl: databaseUrl!,
    etcdEndpoints: etcdEndpoints!,
    etcdPrefix,
    db,
    etcd,
    hermetic,
    async change(value) {
      const view = await setFlagValue({ ctx: publishing, input: { ...BENCH_FLAG, value } });
      return view.values[BENCH_FLAG.environment]!.version;
    },
    async changeRules(flip) {
      const rules = [{ constraints: [{ contextName: "userId", operator: "IN" as const, values: flip ? ["u1", "u2"] : ["u3"] }], gate: { percentage: 30 }, serve: { value: true } }];
      return (await setTargeting({ ctx: publishing, input: { ...BENCH_FLAG, rules } })).version;
    },
    async newSdkKey(name) {
      return (await createSdkKey({ ctx, input: { name, environment: BENCH_FLAG.environment, namespaces: null } })).key;
    },
    async stop() {
      for (const s of stops) await s().catch(() => {});
    },
  };
}
