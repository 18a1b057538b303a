import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, startMariaDb, type EtcdHandle, type MariaDbHandle } from "../../scripts/lib/local-services";
import { createClient, type MizuFlowClient } from "../../sdk/src/node";
import { auditEvents } from "../../lib/db/schema";
import { flagKey } from "../../lib/etcd/keys";
import { flagRoutes, valueRoutes } from "../../lib/http/api-registry";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { spawnWorker, type ChildWorker } from "../support/workers/child-worker";
import { callRoute, pointAppAt, resetAppSingletons } from "../support/route-client";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";

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
const ENV = "production";
const FLAG = { namespace: "shop", key: "price" };

let base: string;
let db: MariaDbHandle;
let etcd: EtcdHandle;
let env: TestEnv;
let worker: ChildWorker;
let sdk: MizuFlowClient;
let token: string;
let port: number;

interface Outcome {
  writer: number;
  value: number;
  key: string;
  status: number;
  code?: string;
  retried?: number;
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-freeze-"));
  [db, etcd] = await Promise.all([
    startMariaDb({ baseDir: path.join(base, "mariadb"), durable: true }),
    startEtcd({ baseDir: path.join(base, "etcd") }),
  ]);
  env = await createTestEnv({ mysqlUrl: db.url, etcdEndpoints: etcd.endpoints });
  pointAppAt(env);
  const ctx = env.ctx();
  await createEnvironment({ ctx, input: { key: ENV, name: "Production" } });
  await createNamespace({ ctx, input: { key: FLAG.namespace, name: "Shop" } });
  await createFlag({ ctx, input: { ...FLAG, type: "number", values: { [ENV]: 0 } } });
  token = (await createApiToken({ ctx, input: { name: "writers", role: "admin", namespaces: null, superAdmin: true } })).token;
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

async function putViaWorker(value: number, key: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/flags/${FLAG.namespace}/${FLAG.key}/values/${ENV}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ value }),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

async function putViaNext(value: number, key: string): Promise<{ status: number; code?: string }> {
  const res = await callRoute(valueRoutes.setValue, {
    params: { ...FLAG, environment: ENV },
    json: { value },
    headers: { "idempotency-key": key },
    credential: { kind: "token", token },
  });
  return { status: res.status, code: res.json?.error?.code };
}

const freeze = async (pid: number, ms: number) => {
  process.kill(pid, "SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    process.kill(pid, "SIGCONT");
  }
};

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

    let stop = false;
    const outcomes: Outcome[] = [];
    const writer = async (w: number) => {
      for (let seq = 1; !stop; seq++) {
        const value = w * 1_000_000 + seq;
        const key = `w${w}-${seq}`;
        const put = w === 3 ? putViaNext : putViaWorker;
        let res = await put(value, key);
        let retried = 0;
        // The outcome was unknown: the same key and body tell what happened (never a second write).
        while (res.code === "commit_outcome_unknown" && retried < 40) {
          retried++;
          await new Promise((r) => setTimeout(r, 500));
          res = await put(value, key);
        }
        outcomes.push({ writer: w, value, key, ...res, retried });
        if (res.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const writers = [0, 1, 2, 3].map(writer);

    const t0 = Date.now();
    const at = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));
    await at(1_000);
    await freeze(etcd.pid!, 4_000);
    await at(6_000);
    await freeze(worker.proc.pid!, 4_200);
    await at(12_000);
    await freeze(worker.proc.pid!, 4_200);
    const lastWatchFreezeEnd = Date.now();
    await at(18_000);
    await freeze(db.pid!, 6_000);
    await at(26_000);
    stop = true;
    await Promise.all(writers);

    // Everything settles: the relay publishes whatever committed.
    const committed = async () =>
      (await env.db.select({ after: auditEvents.after }).from(auditEvents).where(and(eq(auditEvents.action, "flag_value.set"), eq(auditEvents.flagKey, FLAG.key))))
        .map((r) => Number((r.after as { value: number }).value));
    const final = (await env.db.select({ after: auditEvents.after }).from(auditEvents).orderBy(auditEvents.id)).at(-1);
    const finalValue = Number((final!.after as { value: number }).value);
    await waitFor(() => inEtcd.has(finalValue) && sdk.getNumber(FLAG.namespace, FLAG.key, -1) === finalValue, "etcd and the SDK to reach the final value", 20_000, 100);

    const inMySql = await committed();
    const problems: string[] = [];
    const counts = new Map<number, number>();
    for (const v of inMySql) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const o of outcomes) {
      const n = counts.get(o.value) ?? 0;
      if (o.status === 200) {
        if (n !== 1) problems.push(`${o.key} answered 200 but written ${n} times in MySQL`);
      } else {
        if (o.code === "commit_outcome_unknown") problems.push(`${o.key} still unknown after ${o.retried} retries`);
        if (n) problems.push(`${o.key} answered ${o.status} ${o.code} but is in MySQL`);
        if (inEtcd.has(o.value)) problems.push(`${o.key} answered ${o.status} ${o.code} but is in etcd`);
        if (seenBySdk.has(o.value)) problems.push(`${o.key} answered ${o.status} ${o.code} but reached the SDK`);
      }
    }
    const answered = new Set(outcomes.map((o) => o.value));
    for (const v of inMySql) if (!answered.has(v)) problems.push(`value ${v} in MySQL was never asked for`);
    // etcd and the SDK may skip intermediate versions (a publish carries the latest), but never
    // hold a value MySQL does not.
    for (const v of inEtcd) if (v !== 0 && !counts.has(v)) problems.push(`value ${v} in etcd but not in MySQL`);
    for (const v of seenBySdk) if (v !== 0 && !counts.has(v)) problems.push(`value ${v} reached the SDK but not MySQL`);
    const summary = {
      writes: outcomes.length,
      ok: outcomes.filter((o) => o.status === 200).length,
      failed: outcomes.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.code}`),
      resolvedByRetry: outcomes.filter((o) => o.retried).length,
      viaNext: outcomes.filter((o) => o.writer === 3 && o.status === 200).length,
    };
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
