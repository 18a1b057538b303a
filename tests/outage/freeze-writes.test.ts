import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, startMariaDb, type EtcdHandle, type MariaDbHandle } from "../../scripts/lib/local-services";
import { createClient, type MizuFlowClient } from "../../sdk/src/node";
import { auditEvents } from "../../lib/db/schema";
import { flagKey } from "../../lib/etcd/keys";
import { valueRoutes } from "../../lib/http/api-registry";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { spawnWorker, type ChildWorker } from "../support/workers/child-worker";
import { callRoute, pointAppAt, resetAppSingletons } from "../support/route-client";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";
import { ENV, FLAG, answerProblems, committedValues, freeze, putOverHttp, runWriters, seedFreezeFlag, summarize, type Put } from "./freeze-writes-scenario";

/**
 * Guarantee: writes answer the truth under process pauses. Four writers set one flag's value
 * (unique values, each with an Idempotency-Key): three through the worker's admin API (node
 * transport), one through the Next.js route handler in this process (the same withApi handler),
 * while the worker is frozen (SIGSTOP/SIGCONT, 4.2 s, twice), etcd once (4 s) and MariaDB once
 * (6 s), with production defaults (DB deadlines 3 s / 4 s). Then: a write answered as failed is in
 * neither MySQL, etcd nor the SDK; a write answered as saved is in MySQL exactly once, and etcd and
 * the SDK end on MySQL's final value (they may skip intermediate versions, never add one); a commit_outcome_unknown is resolved by retrying with its key (and then counts as
 * saved, once); and the worker's etcd watch is quiet from 15 s after the last etcd/worker freeze.
 */
let base: string;
let db: MariaDbHandle;
let etcd: EtcdHandle;
let env: TestEnv;
let worker: ChildWorker;
let sdk: MizuFlowClient;
let token: string;
let port: number;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-freeze-"));
  [db, etcd] = await Promise.all([
    startMariaDb({ baseDir: path.join(base, "mariadb"), durable: true }),
    startEtcd({ baseDir: path.join(base, "etcd") }),
  ]);
  env = await createTestEnv({ mysqlUrl: db.url, etcdEndpoints: etcd.endpoints });
  pointAppAt(env);
  const ctx = env.ctx();
  token = await seedFreezeFlag(ctx);
  const sdkKey = (await createSdkKey({ ctx, input: { name: "svc", environment: ENV, namespaces: null } })).key;
  worker = spawnWorker("freeze", {
    DATABASE_URL: env.databaseUrl,
    ETCD_ENDPOINTS: etcd.endpoints.join(","),
    ETCD_PREFIX: env.etcdPrefix,
    STREAM_PORT: "0",
    STREAM_HOST: "127.0.0.1",
    AUTH_SECRET: process.env.AUTH_SECRET!,
  });
  port = Number((await worker.waitForLog("stream_server.listening", 30_000)).port);
  await worker.waitForLog("leader.elected", 30_000);
  sdk = createClient({ url: `http://127.0.0.1:${port}`, sdkKey, reportRevision: false });
  await sdk.ready({ timeoutMs: 15_000 });
}, 90_000);

afterAll(async () => {
  await sdk?.close();
  if (worker?.proc.pid) process.kill(worker.proc.pid, "SIGCONT");
  await worker?.kill("SIGTERM").catch(() => {});
  await resetAppSingletons();
  await env?.cleanup().catch(() => {});
  await Promise.all([db?.stop(), etcd?.stop()]);
  if (base) await rm(base, { recursive: true, force: true });
});

const putViaWorker: Put = (value, key) => putOverHttp(`http://127.0.0.1:${port}`, token, value, key);

async function putViaNext(value: number, key: string): Promise<{ status: number; code?: string }> {
  const res = await callRoute(valueRoutes.setValue, {
    params: { ...FLAG, environment: ENV },
    json: { value },
    headers: { "idempotency-key": key },
    credential: { kind: "token", token },
  });
  return { status: res.status, code: res.json?.error?.code };
}

describe("value writes under freezes of the worker, etcd and MariaDB", () => {
  it("answer the truth, and the etcd watch settles", async () => {
    // Every value etcd ever held for the flag (a watch from this test, on the unfrozen side).
    const inEtcd = new Set<number>();
    const watcher = await env.etcd.root.watch().key(flagKey({ environment: ENV, ...FLAG })).create();
    watcher.on("put", (kv) => inEtcd.add(Number((JSON.parse(kv.value.toString()) as { value: number }).value)));
    const seenBySdk = new Set<number>();
    sdk.on("change", (c) => {
      if (c.namespace === FLAG.namespace && c.key === FLAG.key) seenBySdk.add(Number(c.newValue));
    });

    let lastWatchFreezeEnd = 0;
    // Writer 3 goes through the Next.js route handler, the others through the worker.
    const outcomes = await runWriters([putViaWorker, putViaWorker, putViaWorker, putViaNext], "", async (at) => {
      await at(1_000);
      await freeze(etcd.pid!, 4_000);
      await at(6_000);
      await freeze(worker.proc.pid!, 4_200);
      await at(12_000);
      await freeze(worker.proc.pid!, 4_200);
      lastWatchFreezeEnd = Date.now();
      await at(18_000);
      await freeze(db.pid!, 6_000);
      await at(26_000);
    });

    // Everything settles: the relay publishes whatever committed.
    const final = (await env.db.select({ after: auditEvents.after }).from(auditEvents).orderBy(auditEvents.id)).at(-1);
    const finalValue = Number((final!.after as { value: number }).value);
    await waitFor(() => inEtcd.has(finalValue) && sdk.getNumber(FLAG.namespace, FLAG.key, -1) === finalValue, "etcd and the SDK to reach the final value", 20_000, 100);

    const problems = answerProblems(outcomes, await committedValues(env.db), [
      { name: "etcd", values: inEtcd },
      { name: "the SDK", values: seenBySdk },
    ]);
    const summary = { ...summarize(outcomes), viaNext: outcomes.filter((o) => o.writer === 3 && o.status === 200).length };
    console.log("freeze writes:", JSON.stringify(summary));
    expect(problems).toEqual([]);
    expect(summary.ok).toBeGreaterThan(20);
    expect(summary.viaNext).toBeGreaterThan(3);

    // The worker's etcd watch: no reconnects from 15 s after the last freeze that touched it.
    await new Promise((r) => setTimeout(r, Math.max(0, lastWatchFreezeEnd + 27_000 - Date.now())));
    const quietFrom = lastWatchFreezeEnd + 15_000;
    const churn = worker.logs.filter((l) => /etcd watch disconnected/.test(JSON.stringify(l)) && Date.parse(String(l.time ?? l.ts ?? "")) >= quietFrom);
    expect(churn).toEqual([]);
    await watcher.cancel();
  }, 120_000);
});
