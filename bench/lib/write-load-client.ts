/**
 * The write benchmark's load generator. It runs in its own process (forked by write-throughput.ts)
 * so that generating load never shares an event loop with the app or with the bench's etcd watch.
 *
 * `concurrency` loops each keep one PUT /api/v1/flags/{ns}/{key}/values/{env} in flight over a
 * keep-alive agent with exactly that many sockets: a closed-loop load, so throughput is what the
 * app sustains, and latency is measured per request from send to the last byte of the response.
 * With `rate`, requests start on a fixed schedule instead (open loop, still at most `concurrency`
 * in flight), to see latency and lag at a load the machine can sustain.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { percentiles, type Percentiles } from "./write-stats";

export interface LoadTarget {
  namespace: string;
  key: string;
  environment: string;
  type: "boolean" | "number";
}

export interface LoadRequest {
  type: "run";
  port: number;
  token: string;
  targets: LoadTarget[];
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Changes per request: 1 = PUT .../values/{env}; more = one POST /api/v1/value-changes each. */
  batch: number;
  /** Open-loop: start requests at this many per second (at most `concurrency` in flight); null = closed loop. */
  rate: number | null;
  /** A fresh Idempotency-Key on every request. */
  keyed?: boolean;
}

export interface LoadResult {
  type: "result";
  /** Epoch ms of the measured window (requests *sent* inside it count). */
  measureStart: number;
  measureEnd: number;
  ok: number;
  warmupOk: number;
  latencyMs: Percentiles;
  /** Status code (or "network") -> count, measured window only. */
  statuses: Record<string, number>;
  /** A few error responses, for the report. */
  errorSamples: string[];
}

export type LoadMessage = { type: "measure-start"; at: number } | LoadResult;

function randomValue(t: LoadTarget): boolean | number {
  return t.type === "boolean" ? Math.random() < 0.5 : Math.floor(Math.random() * 1_000_000) / 100;
}

function put(agent: http.Agent, req: LoadRequest, targets: LoadTarget[]): Promise<{ status: number; body: string }> {
  const t = targets[0]!;
  const single = targets.length === 1;
  const body = single
    ? JSON.stringify({ value: randomValue(t) })
    : JSON.stringify({ changes: targets.map((x) => ({ namespace: x.namespace, key: x.key, environment: x.environment, value: randomValue(x) })) });
  return new Promise((resolve) => {
    const r = http.request(
      {
        host: "127.0.0.1",
        port: req.port,
        method: single ? "PUT" : "POST",
        path: single ? `/api/v1/flags/${t.namespace}/${t.key}/values/${t.environment}` : "/api/v1/value-changes",
        agent,
        headers: {
          authorization: `Bearer ${req.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(req.keyed ? { "idempotency-key": randomUUID() } : {}),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          if (status >= 300) chunks.push(c);
        });
        res.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString("utf8").slice(0, 300) }));
        res.on("error", (err) => resolve({ status: 0, body: err.message }));
      },
    );
    r.on("error", (err) => resolve({ status: 0, body: err.message }));
    r.end(body);
  });
}

/** `n` distinct random targets (a request changes each value once). */
function pick(targets: LoadTarget[], n: number): LoadTarget[] {
  if (n === 1) return [targets[Math.floor(Math.random() * targets.length)]!];
  const chosen = new Set<number>();
  while (chosen.size < Math.min(n, targets.length)) chosen.add(Math.floor(Math.random() * targets.length));
  return [...chosen].map((i) => targets[i]!);
}

async function run(req: LoadRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.concurrency, maxFreeSockets: req.concurrency });
  const start = Date.now();
  const measureStart = start + req.warmupMs;
  const measureEnd = measureStart + req.measureMs;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let ok = 0;
  let warmupOk = 0;
  let announced = false;
  let ticket = 0;

  async function loop(): Promise<void> {
    for (;;) {
      if (req.rate) {
        // Each request takes the next slot of a fixed schedule; a loop that is late sends at once.
        const due = start + (ticket++ * 1000 * req.batch) / req.rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const sentAt = Date.now();
      if (sentAt >= measureEnd) return;
      if (!announced && sentAt >= measureStart) {
        announced = true;
        process.send?.({ type: "measure-start", at: measureStart } satisfies LoadMessage);
      }
      const t0 = performance.now();
      const res = await put(agent, req, pick(req.targets, req.batch));
      const ms = performance.now() - t0;
      const measured = sentAt >= measureStart;
      const success = res.status >= 200 && res.status < 300;
      if (!measured) {
        if (success) warmupOk += req.batch;
        continue;
      }
      const label = res.status === 0 ? "network" : String(res.status);
      statuses[label] = (statuses[label] ?? 0) + 1;
      if (success) {
        ok += req.batch;
        latencies.push(ms);
      } else if (errorSamples.length < 5) {
        errorSamples.push(`${label}: ${res.body}`);
      }
    }
  }

  await Promise.all(Array.from({ length: req.concurrency }, () => loop()));
  agent.destroy();
  return { type: "result", measureStart, measureEnd, ok, warmupOk, latencyMs: percentiles(latencies), statuses, errorSamples };
}

process.on("message", (msg: LoadRequest) => {
  if (msg?.type !== "run") return;
  run(msg).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
