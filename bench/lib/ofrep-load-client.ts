import http from "node:http";

/**
 * Load-generator child for bench/ofrep.ts (its own process, so the servers' CPU is their own).
 * "http": closed-loop keep-alive requests for a duration -> count, statuses, latencies.
 * "sse": opens streams (spread over 127.0.0.x source addresses, as many clients would be) and
 * records, per stream, when the next event after "arm" arrived.
 */
type HttpJob = { type: "http"; url: string; headers: Record<string, string>[]; body: string; concurrency: number; durationMs: number };
type SseJob = { type: "sse"; urls: string[]; marker: string; addresses: number };

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function runHttp(job: HttpJob) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const end = Date.now() + job.durationMs;
  let n = 0;
  const one = (headers: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
        res.on("data", () => {});
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
          resolve();
        });
      });
      req.on("error", reject);
      req.end(job.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async (_, w) => {
      while (Date.now() < end) await one(job.headers[(n++ + w) % job.headers.length]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, rps: latencies.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), statuses };
}

const streams: { receivedAt: number | null; tail: string }[] = [];
let marker = "";

let refusals: Record<string, number> = {};
/** Opens one stream; resolves when it answered (or failed). */
function openOne(u: string, i: number, addresses: number, why: Record<string, number>): Promise<boolean> {
  const url = new URL(u);
  const s = { receivedAt: null as number | null, tail: "" };
  return new Promise((resolve) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress: `127.0.0.${2 + (i % addresses)}`, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        why[res.statusCode!] = (why[res.statusCode!] ?? 0) + 1;
        res.resume();
        return resolve(false);
      }
      streams.push(s);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (s.receivedAt === null && armed && (s.tail + chunk).includes(marker)) s.receivedAt = Date.now();
        s.tail = chunk.slice(-64);
      });
      resolve(true);
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      why[err.code ?? "error"] = (why[err.code ?? "error"] ?? 0) + 1;
      resolve(false);
    });
  });
}

/** Opens the streams 50 at a time, as a fleet of clients starting up would (not 2,000 SYNs at once). */
async function openStreams(job: SseJob): Promise<number> {
  marker = job.marker;
  const why: Record<string, number> = (refusals = {});
  let failed = 0;
  for (let i = 0; i < job.urls.length; i += 50) {
    const batch = job.urls.slice(i, i + 50).map((u, j) => openOne(u, i + j, job.addresses, why));
    for (const ok of await Promise.all(batch)) if (!ok) failed++;
  }
  return failed;
}

let armed = false;
process.on("message", async (m: HttpJob | SseJob | { type: "arm" | "receipts" | "pending" }) => {
  // How many open streams have not received the armed event yet (stays armed).
  if (m.type === "pending") process.send!({ type: "pending", n: streams.filter((s) => s.receivedAt === null).length });
  if (m.type === "http") process.send!({ type: "http-done", ...(await runHttp(m)) });
  if (m.type === "sse") process.send!({ type: "sse-open", failed: await openStreams(m), refusals });
  if (m.type === "arm") {
    for (const s of streams) s.receivedAt = null;
    armed = true;
    process.send!({ type: "armed" });
  }
  if (m.type === "receipts") {
    armed = false;
    process.send!({ type: "receipts", at: streams.map((s) => s.receivedAt) });
  }
});
process.send!({ type: "ready" });
