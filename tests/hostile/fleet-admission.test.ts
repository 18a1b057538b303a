import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FAILED_AUTH_PER_ADDRESS } from "../../lib/delivery/stream/failed-auth-limit";
import { flagKey } from "../../lib/etcd/keys";
import { createImmediatePublisher } from "../../lib/outbox/immediate-publisher";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import type { ServiceContext } from "../../lib/core/context";
import { freePort } from "../../scripts/lib/local-services/ports";
import { createClient } from "../../sdk/src/node";
import { spawnWorker, type ChildWorker } from "../support/workers/child-worker";
import { flagRevision } from "../support/stream-server/fixtures";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";

/**
 * Guarantee (issue 11): a fleet behind one address is not throttled by that address. 2,000 SDK
 * clients with one valid key, all from 127.0.0.1 (a NAT gateway or load balancer as the server sees
 * it), connect to the real worker's stream server (a separate process, production admission
 * defaults, nothing raised) without a single 429; after a kill -9 and a restart of that process,
 * all 2,000 are back and hold a change made while it was down within 5 s of it being ready again
 * (its /healthz answers 200, as a load balancer would check); and 2,000 attempts with made-up keys from the same address are still refused, with no more MySQL
 * key lookups than the failed-authentication budget per address allows, while the fleet stays.
 */
const CLIENTS = 2_000;
/**
 * The 2,000 clients run on the same cores as the server (real instances have their own machines);
 * when the first connect already takes longer than this, the cores are busy with other work and
 * a 5 s bound would measure that, so the test says so and checks the relative bound only.
 */
const QUIET_CONNECT_MS = 3_000;
const UNKNOWN_KEY_LOOKUPS = 'mizuflow_sdk_key_lookups_total{result="unknown"}';
const FLAG = { environment: "production", namespace: "app", key: "rollout" };

let env: TestEnv;
let ctx: ServiceContext;
let port: number;
let workerEnv: Record<string, string>;
let worker: ChildWorker | null = null;
let sdkKey: string;
const SLICES = 2;
const slices: Slice[] = [];
const silent = { warn: () => {}, error: () => {} };

interface Reply {
  statuses: Record<string, number>;
  cpuMs: number;
}

/** One process running CLIENTS / SLICES SDK clients (tests/support/hostile/fleet-child.ts), like a group of service instances. */
interface Slice {
  proc: ChildProcess;
  ask(cmd: Record<string, unknown>, reply: string): Promise<Reply>;
}

async function startSlice(): Promise<Slice> {
  const proc = fork(path.join(import.meta.dirname, "../support/hostile/fleet-child.ts"), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    proc.once("message", () => resolve());
    proc.once("exit", (code) => reject(new Error(`fleet child exited with ${code}`)));
  });
  return {
    proc,
    ask: (cmd, reply) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: Reply & { type: string; message?: string }) => {
          if (m.type !== reply && m.type !== "error") return;
          proc.off("message", onMessage);
          if (m.type === "error") reject(new Error(m.message));
          else resolve(m);
        };
        proc.on("message", onMessage);
        proc.send(cmd);
      }),
  };
}

/** Sums the slices' counts of stream request statuses. */
function total(all: Reply[]): Map<number, number> {
  const sum = new Map<number, number>();
  for (const one of all) for (const [k, v] of Object.entries(one.statuses)) sum.set(Number(k), (sum.get(Number(k)) ?? 0) + v);
  return sum;
}

const clientCpuMs = (all: Reply[]) => all.reduce((a, r) => a + r.cpuMs, 0);

/** CPU time (user + system) of the worker process so far, from /proc (clock ticks of 10 ms). */
function workerCpuMs(): number {
  const fields = readFileSync(`/proc/${worker!.proc.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function startWorker(id: string): ChildWorker {
  worker = spawnWorker(id, workerEnv);
  return worker;
}

async function workerMetric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${await worker!.metricsPort()}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

async function setRollout(value: number): Promise<number> {
  await setFlagValue({ ctx, input: { ...FLAG, value } });
  // The immediate publisher runs right after the commit; wait until etcd holds the new value.
  await waitFor(async () => ((await env.etcd.root.get(flagKey(FLAG)).json()) as { value?: number } | null)?.value === value, "the change to reach etcd");
  return flagRevision(env.etcd.root, FLAG);
}

beforeAll(async () => {
  const limits = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\d+)/m)?.[1];
  console.log(`[fleet] open-file soft limit of the test process (inherited by the worker): ${limits}`);
  env = await createTestEnv();
  ctx = env.ctx(undefined, { onCommitted: createImmediatePublisher(env.db, env.etcd.root) });
  await createEnvironment({ ctx, input: { key: "production", name: "production" } });
  await createNamespace({ ctx, input: { key: "app", name: "app" } });
  await createFlag({ ctx, input: { namespace: "app", key: "rollout", type: "number", values: { production: 1 } } });
  sdkKey = (await createSdkKey({ ctx, input: { name: "fleet", environment: "production", namespaces: null } })).key;
  port = await freePort();
  workerEnv = {
    DATABASE_URL: env.databaseUrl,
    ETCD_ENDPOINTS: env.etcdEndpoints.join(","),
    ETCD_PREFIX: env.etcdPrefix,
    STREAM_PORT: String(port),
    STREAM_HOST: "127.0.0.1",
    SIDECAR_ADMIN_API: "off",
  };
  await startWorker("fleet-a").waitForLog("stream_server.listening", 30_000);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    slices.map(
      (slice) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => slice.proc.kill(), 10_000);
          slice.proc.once("exit", () => (clearTimeout(timer), resolve()));
          slice.proc.send({ cmd: "close" });
        }),
    ),
  );
  await worker?.kill();
  await env?.cleanup();
});

describe("fleet-safe stream admission", () => {
  it("admits 2,000 clients of one key from one address without a 429, and after a kill -9 and restart all are back and current within 5 s", async () => {
    slices.push(...(await Promise.all(Array.from({ length: SLICES }, () => startSlice()))));
    const t0 = performance.now();
    const url = `http://127.0.0.1:${port}`;
    const started = await Promise.all(slices.map((sl) => sl.ask({ cmd: "start", url, sdkKey, count: CLIENTS / SLICES }, "ready")));
    const connectMs = performance.now() - t0;
    let statuses = total(started);
    console.log(
      `[fleet] ${CLIENTS} SDK clients (${SLICES} processes) connected from 127.0.0.1 in ${Math.round(connectMs)} ms, stream statuses ${JSON.stringify([...statuses])}; ` +
        `CPU so far: client processes ${clientCpuMs(started)} ms, worker ${workerCpuMs()} ms`,
    );
    expect(statuses.get(429) ?? 0).toBe(0);

    await worker!.kill("SIGKILL");
    const killedAt = performance.now();
    // Changed while no stream server runs: every client must pick it up on reconnect.
    const revision = await setRollout(2);
    const reached = Promise.all(slices.map((sl) => sl.ask({ cmd: "await", revision, ...FLAG, value: 2 }, "reached")));
    const spawnedAt = performance.now();
    const before = clientCpuMs(started);
    await startWorker("fleet-b").waitForLog("stream_server.listening", 60_000);
    const listeningAt = performance.now();
    // Ready as a load balancer's health check sees it: listening, and the hub holds etcd's state.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, "the restarted stream server to be ready", 30_000, 20);
    const readyAt = performance.now();
    const back = await reached;
    const currentAt = performance.now();
    statuses = total(back);
    console.log(
      `[fleet] kill -9 and restart: all ${CLIENTS} clients back and current ${Math.round(currentAt - readyAt)} ms after the new stream server was ready ` +
        `(${Math.round(currentAt - listeningAt)} ms after it listened, ${Math.round(currentAt - spawnedAt)} ms after its process was started, ` +
        `${Math.round(currentAt - killedAt)} ms after the kill); ` +
        `stream statuses ${JSON.stringify([...statuses])}; CPU from the kill: client processes ${clientCpuMs(back) - before} ms, new worker ${workerCpuMs()} ms`,
    );
    const reconnectMs = currentAt - readyAt;
    // Coming back is the same work as the first connect, plus at most the SDK's reconnect window
    // (2 x the server's 1 s retry). The cores are shared with the clients' own reconnect attempts
    // and, in a full run, other test files, so three times as long is allowed; far slower means
    // admission or backoff held clients back.
    expect(reconnectMs).toBeLessThanOrEqual(3 * connectMs + 3_000);
    if (connectMs <= QUIET_CONNECT_MS) expect(reconnectMs).toBeLessThanOrEqual(5_000);
    else {
      console.log(
        `[fleet] NOT CHECKED: the 5 s bound. This machine needed ${Math.round(connectMs)} ms for the first connect of the ${CLIENTS} clients ` +
          `(over ${QUIET_CONNECT_MS} ms: its cores are shared with other work), so only "no slower than 3 x the first connect + 3 s" was checked.`,
      );
    }
    expect(statuses.get(429) ?? 0).toBe(0);
    expect(await workerMetric('mizuflow_sdk_reports_total{transport="sidecar",outcome="rate_limited"}')).toBe(0);
  }, 180_000);

  it("still refuses 2,000 made-up keys from that address quickly, within the MySQL lookup budget, while the fleet stays connected", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const attempt = (key: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/api/sdk/v1/stream", agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
      });
    const randomKey = () => `mf_sdk_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
    // MySQL lookups that found no key; the fleet's own key is looked up again too (once a second
    // while it is in use), which is not what is bounded here.
    const lookups0 = await workerMetric(UNKNOWN_KEY_LOOKUPS);
    const statuses = new Map<number, number>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next++ < 2_000) {
          const s = await attempt(randomKey());
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const lookups = (await workerMetric(UNKNOWN_KEY_LOOKUPS)) - lookups0;
    const budget = DEFAULT_FAILED_AUTH_PER_ADDRESS.burst + Math.ceil(DEFAULT_FAILED_AUTH_PER_ADDRESS.perSecond * seconds) + 2;
    console.log(
      `[fleet] 2000 made-up keys from 127.0.0.1: ${JSON.stringify([...statuses])} in ${(seconds * 1000).toFixed(0)} ms ` +
        `(${((seconds * 1000) / 2_000).toFixed(2)} ms/attempt), ${lookups} MySQL lookups of unknown keys (budget ${budget})`,
    );
    expect([...statuses.keys()].sort()).toEqual([401, 429]);
    expect(statuses.get(401)).toBeLessThanOrEqual(budget);
    expect(lookups).toBeLessThanOrEqual(budget);
    // Refused before any lookup: a fraction of a millisecond of work each on a quiet machine; the
    // bound only catches a refusal path that waits on something (MySQL, a timer).
    expect((seconds * 1000) / 2_000).toBeLessThan(50);

    // The fleet was not touched, and one more instance of it is admitted from the refused address.
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { openStreams: number };
    expect(health.openStreams).toBe(CLIENTS);
    const late = createClient({ url: `http://127.0.0.1:${port}`, sdkKey, logger: silent });
    try {
      await late.ready({ live: true, timeoutMs: 5_000 });
      expect(late.getNumber(FLAG.namespace, FLAG.key, -1)).toBe(2);
    } finally {
      await late.close();
    }
  }, 60_000);
});
