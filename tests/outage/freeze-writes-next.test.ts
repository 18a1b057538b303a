import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMariaDb, type MariaDbHandle } from "../../scripts/lib/local-services";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { auditEvents } from "../../lib/db/schema";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { startAppStack, type AppStack } from "../support/e2e/app-stack";
import { ensureE2eBuild } from "../support/e2e/next-build";
import { createTestEnv, type TestEnv } from "../support/test-env";

/**
 * Guarantee (issue 16 on the real transport): writes through the BUILT Next app (`next start`,
 * production defaults: DB deadlines 3 s / 4 s) answer the truth while the app process and MariaDB
 * are paused (SIGSTOP/SIGCONT: the app 4.2 s, MariaDB 6 s). Three writers PUT unique values with
 * an Idempotency-Key each; afterwards every write answered 200 is in MySQL exactly once, every
 * write answered as failed is not in MySQL at all, and every commit_outcome_unknown was resolved by
 * retrying with its key. tests/outage/freeze-writes.test.ts covers the worker's transport, etcd
 * freezes and the SDK; this one keeps to the app's own transport and stays short.
 */
const ENV = "production";
const FLAG = { namespace: "shop", key: "price" };

let base: string;
let db: MariaDbHandle;
let env: TestEnv;
let stack: AppStack;
let token: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-freeze-next-"));
  const build = ensureE2eBuild((m) => console.log(`[freeze-next] ${m}`));
  db = await startMariaDb({ baseDir: path.join(base, "mariadb"), durable: true });
  env = await createTestEnv({ mysqlUrl: db.url });
  const ctx = env.ctx();
  await createEnvironment({ ctx, input: { key: ENV, name: "Production" } });
  await createNamespace({ ctx, input: { key: FLAG.namespace, name: "Shop" } });
  await createFlag({ ctx, input: { ...FLAG, type: "number", values: { [ENV]: 0 } } });
  token = (await createApiToken({ ctx, input: { name: "writers", role: "admin", namespaces: null, superAdmin: true } })).token;
  await build;
  stack = await startAppStack({ databaseUrl: env.databaseUrl, etcdEndpoints: env.etcdEndpoints, etcdPrefix: env.etcdPrefix, worker: false });
}, 600_000);

afterAll(async () => {
  if (stack?.pids.app) process.kill(stack.pids.app, "SIGCONT");
  if (db?.pid) process.kill(db.pid, "SIGCONT");
  await stack?.stop();
  await env?.cleanup().catch(() => {});
  await db?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

async function put(value: number, key: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${stack.url}/api/v1/flags/${FLAG.namespace}/${FLAG.key}/values/${ENV}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ value }),
    signal: AbortSignal.timeout(30_000),
  }).catch((err: unknown) => ({ status: 0, json: async () => ({ error: { code: String(err) } }) }));
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

const freeze = async (pid: number, ms: number) => {
  process.kill(pid, "SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    process.kill(pid, "SIGCONT");
  }
};

describe("value writes through the built Next app under pauses of the app and MariaDB", () => {
  it("answer the truth: 200 means written once, a failure means not written, unknown is resolved by the key", async () => {
    let stop = false;
    const outcomes: { value: number; key: string; status: number; code?: string; retried: number }[] = [];
    const writer = async (w: number) => {
      for (let seq = 1; !stop; seq++) {
        const value = w * 1_000_000 + seq;
        const key = `next-w${w}-${seq}`;
        let res = await put(value, key);
        let retried = 0;
        while (res.code === "commit_outcome_unknown" && retried < 40) {
          retried++;
          await new Promise((r) => setTimeout(r, 500));
          res = await put(value, key);
        }
        outcomes.push({ value, key, ...res, retried });
        if (res.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const writers = [0, 1, 2].map(writer);
    const t0 = Date.now();
    const at = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));
    await at(1_000);
    await freeze(stack.pids.app, 4_200);
    await at(7_000);
    await freeze(db.pid!, 6_000);
    await at(16_000);
    stop = true;
    await Promise.all(writers);

    const written = (await env.db.select({ after: auditEvents.after }).from(auditEvents).where(and(eq(auditEvents.action, "flag_value.set"), eq(auditEvents.flagKey, FLAG.key))))
      .map((r) => Number((r.after as { value: number }).value));
    const counts = new Map<number, number>();
    for (const v of written) counts.set(v, (counts.get(v) ?? 0) + 1);
    const problems: string[] = [];
    for (const o of outcomes) {
      const n = counts.get(o.value) ?? 0;
      if (o.status === 200 && n !== 1) problems.push(`${o.key} answered 200 but written ${n} times`);
      if (o.status !== 200 && n) problems.push(`${o.key} answered ${o.status} ${o.code} but is in MySQL`);
      if (o.code === "commit_outcome_unknown") problems.push(`${o.key} still unknown after ${o.retried} retries`);
    }
    const asked = new Set(outcomes.map((o) => o.value));
    for (const v of written) if (!asked.has(v)) problems.push(`value ${v} in MySQL was never asked for`);
    const summary = {
      writes: outcomes.length,
      ok: outcomes.filter((o) => o.status === 200).length,
      failed: outcomes.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.code}`),
      resolvedByRetry: outcomes.filter((o) => o.retried).length,
    };
    console.log("freeze writes (built Next app):", JSON.stringify(summary));
    expect(problems).toEqual([]);
    expect(summary.ok).toBeGreaterThan(10);
  }, 120_000);
});
