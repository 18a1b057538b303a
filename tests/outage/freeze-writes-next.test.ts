import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMariaDb, type MariaDbHandle } from "../../scripts/lib/local-services";
import { startAppStack, type AppStack } from "../support/e2e/app-stack";
import { ensureE2eBuild } from "../support/e2e/next-build";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { answerProblems, committedValues, freeze, putOverHttp, runWriters, seedFreezeFlag, summarize, type Put } from "./freeze-writes-scenario";

/**
 * Guarantee (issue 16 on the real transport): writes through the BUILT Next app (`next start`,
 * production defaults: DB deadlines 3 s / 4 s) answer the truth while the app process and MariaDB
 * are paused (SIGSTOP/SIGCONT: the app 4.2 s, MariaDB 6 s). Three writers PUT unique values with
 * an Idempotency-Key each; afterwards every write answered 200 is in MySQL exactly once, every
 * write answered as failed is not in MySQL at all, and every commit_outcome_unknown was resolved by
 * retrying with its key. tests/outage/freeze-writes.test.ts covers the worker's transport, etcd
 * freezes and the SDK; this one keeps to the app's own transport and stays short.
 */
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
  token = await seedFreezeFlag(env.ctx());
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

const put: Put = (value, key) => putOverHttp(stack.url, token, value, key, 30_000);

describe("value writes through the built Next app under pauses of the app and MariaDB", () => {
  it("answer the truth: 200 means written once, a failure means not written, unknown is resolved by the key", async () => {
    const outcomes = await runWriters([put, put, put], "next-", async (at) => {
      await at(1_000);
      await freeze(stack.pids.app, 4_200);
      await at(7_000);
      await freeze(db.pid!, 6_000);
      await at(16_000);
    });

    const problems = answerProblems(outcomes, await committedValues(env.db));
    const summary = summarize(outcomes);
    console.log("freeze writes (built Next app):", JSON.stringify(summary));
    expect(problems).toEqual([]);
    expect(summary.ok).toBeGreaterThan(10);
  }, 120_000);
});
