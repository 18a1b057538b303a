/**
 * OFREP benchmark (docs/PERFORMANCE.md), production defaults (rate limits and admission on, one
 * client address for every client, as a fleet behind a NAT or load balancer).
 *
 *   npm run bench:ofrep -- [--rounds 7] [--seconds 2] [--concurrency 32] [--streams 2000] [--changes 10]
 *
 * In one run, against the worker's stream server (child process) and, side by side, a bare
 * node:http server that parses the same JSON and answers a fixed body (the floor): single and
 * bulk (200 flags) evaluations and 304 revalidations per second with p50/p99; then N OFREP event
 * streams and N SDK streams open together, and for each committed change the time from commit to
 * each stream's receipt (refetchEvaluation vs put), p50/p99. Load comes from separate processes.
 * Every measurement is repeated `--rounds` times: each HTTP row is paired with a floor run right
 * next to it (order alternating), its ratio taken against that floor; the stream comparison runs
 * `--changes` changes per round. The tables print medians over the rounds, and their ranges.
 */
import type { ChildProcess } from "node:child_process";
import { SYSTEM_ACTOR } from "../lib/auth/actor";
import { createImmediatePublisher } from "../lib/outbox/immediate-publisher";
import { createFlag } from "../lib/flags/create-flag";
import { createSdkKey } from "../lib/sdk-keys/create-sdk-key";
import { ask, spawnNode, stopChild } from "./lib/propagation-children";
import { BENCH_FLAG, startStack } from "./lib/propagation-setup";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg("seconds", 2);
const CONCURRENCY = arg("concurrency", 32);
const STREAMS = arg("streams", 2000);
const CHANGES = arg("changes", 10);
const ROUNDS = Math.max(1, arg("rounds", 7));
const BULK_FLAGS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
/** The middle value (mean of the two middle ones for an even count). */
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

interface HttpResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

async function main() {
  const stack = await startStack();
  const children: ChildProcess[] = [];
  try {
    const ctx = { db: stack.db, actor: SYSTEM_ACTOR, onCommitted: createImmediatePublisher(stack.db, stack.etcd.root) };
    console.log(`[bench] seeding ${BULK_FLAGS} flags`);
    for (let i = 1; i < BULK_FLAGS; i++) {
      await createFlag({ ctx, input: { namespace: BENCH_FLAG.namespace, key: `flag-${i}`, type: "string", values: { [BENCH_FLAG.environment]: `value-${i}` } } });
    }
    // Several client keys, as several apps would hold: one key's evaluation budget is a per-app limit.
    const clientKeys: string[] = [];
    for (let i = 0; i < 4; i++) {
      clientKeys.push((await createSdkKey({ ctx, input: { name: `ofrep-${i}`, environment: BENCH_FLAG.environment, namespaces: [BENCH_FLAG.namespace], kind: "client" } })).key);
    }
    // One server key for every SDK stream (its connection budget, burst 10,000, is sized for a fleet).
    const serverKeys = [await stack.newSdkKey("bench-sdk-0")];
    const env = { DATABASE_URL: stack.databaseUrl, ETCD_ENDPOINTS: stack.etcdEndpoints.join(","), ETCD_PREFIX: stack.etcdPrefix };
    const fds = 2 * STREAMS + 500;
    // OFREP_BENCH_PROF=dir writes a CPU profile of the worker (node --cpu-prof) when it exits.
    const prof = process.env.OFREP_BENCH_PROF;
    const worker = spawnNode("bench/lib/ofrep-worker-child.ts", { env, fds, nodeArgs: prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [] });
    const floor = spawnNode("bench/lib/ofrep-floor-child.ts", { fds });
    children.push(worker, floor);
    const [{ port }, { port: floorPort }] = await Promise.all([ask<{ port: number }>(worker, {}, "ready", 60_000), ask<{ port: number }>(floor, {}, "ready", 60_000)]);
    const load = spawnNode("bench/lib/ofrep-load-client.ts", { fds });
    children.push(load);
    for (const c of children) c.setMaxListeners(0);
    await ask(load, {}, "ready");

    const auth = clientKeys.map((k) => ({ authorization: `Bearer ${k}` }));
    const body = JSON.stringify({ context: { targetingKey: "user-1", plan: "pro", country: "JP" } });
    const base = `http://127.0.0.1:${port}`;
    const bulkRes = await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { ...auth[0], "content-type": "application/json" }, body });
    const bulkJson = (await bulkRes.json()) as { flags: unknown[] };
    if (bulkJson.flags.length !== BULK_FLAGS) throw new Error(`bulk returned ${bulkJson.flags.length} flags`);
    const etags = await Promise.all(
      auth.map(async (h) => (await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { ...h, "content-type": "application/json" }, body })).headers.get("etag")!),
    );
    const run = async (name: string, url: string, headers: Record<string, string>[]) => {
      const r = await ask<HttpResult>(load, { type: "http", url, headers, body, concurrency: CONCURRENCY, durationMs: SECONDS * 1000 }, "http-done", SECONDS * 1000 + 60_000);
      return { name, ...r };
    };
    const jobs: [string, string, Record<string, string>[]][] = [
      ["floor (bare node:http)", `http://127.0.0.1:${floorPort}/`, [{}]],
      ["single evaluation", `${base}/ofrep/v1/evaluate/flags/${BENCH_FLAG.namespace}/${BENCH_FLAG.key}`, auth],
      [`bulk (${BULK_FLAGS} flags)`, `${base}/ofrep/v1/evaluate/flags`, auth],
      ["bulk 304 revalidation", `${base}/ofrep/v1/evaluate/flags`, auth.map((h, i) => ({ ...h, "if-none-match": etags[i]! }))],
    ];
    // Paired measurement: each OFREP row runs right next to a floor run of the same length (order
    // alternating between rounds, so a drifting load favours neither), and its ratio is taken
    // against that floor only. On a shared machine load swings within seconds; adjacent pairs see
    // nearly the same load, and the median over the rounds discards the pairs a swing split.
    const runFor = async (job: (typeof jobs)[number]) => run(job[0], job[1], job[2]);
    for (const job of jobs) await ask<HttpResult>(load, { type: "http", url: job[1], headers: job[2], body, concurrency: CONCURRENCY, durationMs: 1_000 }, "http-done", 61_000);
    const subjects = jobs.slice(1).map((job) => ({ job, runs: [] as HttpResult[], floors: [] as HttpResult[], ratios: [] as number[] }));
    for (let r = 0; r < ROUNDS; r++) {
      const line: string[] = [];
      for (const [j, sub] of subjects.entries()) {
        const floorFirst = (r + j) % 2 === 0;
        const first = await runFor(floorFirst ? jobs[0]! : sub.job);
        const second = await runFor(floorFirst ? sub.job : jobs[0]!);
        const [floorRun, subRun] = floorFirst ? [first, second] : [second, first];
        sub.runs.push(subRun);
        sub.floors.push(floorRun);
        sub.ratios.push(subRun.rps / floorRun.rps);
        line.push(`${sub.job[0]} ${subRun.rps.toFixed(0)}/s vs floor ${floorRun.rps.toFixed(0)}/s = ${(subRun.rps / floorRun.rps).toFixed(2)}x`);
      }
      console.log(`[bench] round ${r + 1}/${ROUNDS} (${SECONDS}s per run, concurrency ${CONCURRENCY}): ${line.join("; ")}`);
    }
    const floors = subjects.flatMap((x) => x.floors);
    const statusesOf = (xs: HttpResult[]) => {
      const out: Record<string, number> = {};
      for (const x of xs) for (const [k, v] of Object.entries(x.statuses)) out[k] = (out[k] ?? 0) + v;
      return JSON.stringify(out);
    };
    console.log(`\n| endpoint (medians of ${ROUNDS} rounds) | req/s | x floor (paired) | x floor range | p50 ms | p99 ms | statuses (all runs) |\n|---|---|---|---|---|---|---|`);
    console.log(`| ${jobs[0]![0]} | ${median(floors.map((x) => x.rps)).toFixed(0)} | 1.00 | | ${median(floors.map((x) => x.p50)).toFixed(2)} | ${median(floors.map((x) => x.p99)).toFixed(2)} | ${statusesOf(floors)} |`);
    for (const sub of subjects) {
      const xs = sub.runs;
      console.log(
        `| ${sub.job[0]} | ${median(xs.map((x) => x.rps)).toFixed(0)} | ${median(sub.ratios).toFixed(2)} | ${range(sub.ratios, 2)} | ${median(xs.map((x) => x.p50)).toFixed(2)} | ${median(xs.map((x) => x.p99)).toFixed(2)} | ${statusesOf(xs)} |`,
      );
    }
    const ratioOf = (j: number) => subjects[j - 1]!.ratios;

    // Streams: N OFREP event streams and N SDK streams, each kind from its own load process.
    const ofrepLoad = spawnNode("bench/lib/ofrep-load-client.ts", { fds });
    const sdkLoad = spawnNode("bench/lib/ofrep-load-client.ts", { fds });
    children.push(ofrepLoad, sdkLoad);
    for (const c of children) c.setMaxListeners(0);
    await Promise.all([ask(ofrepLoad, {}, "ready"), ask(sdkLoad, {}, "ready")]);
    // Every stream from one source address: valid keys are never limited per address (production admission).
    const addresses = 1;
    const ofrepUrls = Array.from({ length: STREAMS }, (_, i) => `${base}/ofrep/v1/events?sdk_key=${encodeURIComponent(clientKeys[i % clientKeys.length]!)}`);
    const sdkUrls = Array.from({ length: STREAMS }, (_, i) => `${base}/api/sdk/v1/stream?sdk_key=${encodeURIComponent(serverKeys[i % serverKeys.length]!)}`);
    console.log(`\n[bench] opening ${STREAMS} OFREP + ${STREAMS} SDK streams`);
    const [of, sf] = await Promise.all([
      ask<{ failed: number; refusals: Record<string, number> }>(ofrepLoad, { type: "sse", urls: ofrepUrls, marker: "refetchEvaluation", addresses }, "sse-open", 120_000),
      ask<{ failed: number; refusals: Record<string, number> }>(sdkLoad, { type: "sse", urls: sdkUrls, marker: "event: put", addresses }, "sse-open", 120_000),
    ]);
    if (of.failed || sf.failed) console.log(`[bench] refused: OFREP ${JSON.stringify(of.refusals)}, SDK ${JSON.stringify(sf.refusals)}`);
    await sleep(500);
    const streamRounds: { ofrep: number[]; sdk: number[] }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const lat = { ofrep: [] as number[], sdk: [] as number[] };
      for (let c = 0; c < CHANGES; c++) {
        await Promise.all([ask(ofrepLoad, { type: "arm" }, "armed"), ask(sdkLoad, { type: "arm" }, "armed")]);
        const committedAt = Date.now();
        await stack.change((r * CHANGES + c) % 2 === 0);
        // Until every stream has it (or 5 s): a fixed wait would cut off the slow tail the p99 is about.
        for (const until = Date.now() + 5_000; Date.now() < until; ) {
          await sleep(50);
          const [po, ps] = await Promise.all([ask<{ n: number }>(ofrepLoad, { type: "pending" }, "pending"), ask<{ n: number }>(sdkLoad, { type: "pending" }, "pending")]);
          if (po.n === 0 && ps.n === 0) break;
        }
        const [o, sd] = await Promise.all([ask<{ at: (number | null)[] }>(ofrepLoad, { type: "receipts" }, "receipts"), ask<{ at: (number | null)[] }>(sdkLoad, { type: "receipts" }, "receipts")]);
        for (const t of o.at) if (t !== null) lat.ofrep.push(t - committedAt);
        for (const t of sd.at) if (t !== null) lat.sdk.push(t - committedAt);
      }
      streamRounds.push(lat);
      console.log(`[bench] stream round ${r + 1}/${ROUNDS}: p99 OFREP ${pct(lat.ofrep, 99).toFixed(1)} ms, SDK ${pct(lat.sdk, 99).toFixed(1)} ms`);
    }
    const per = (kind: "ofrep" | "sdk", p: number) => streamRounds.map((x) => pct(x[kind], p));
    const receipts = (kind: "ofrep" | "sdk") => streamRounds.reduce((n, x) => n + x[kind].length, 0);
    console.log(`\n| stream (${STREAMS} open each, ${CHANGES} changes x ${ROUNDS} rounds; medians) | receipts | refused | p50 ms | p99 ms | p99 range |\n|---|---|---|---|---|---|`);
    console.log(`| OFREP refetchEvaluation | ${receipts("ofrep")} / ${STREAMS * CHANGES * ROUNDS} | ${of.failed} | ${median(per("ofrep", 50)).toFixed(1)} | ${median(per("ofrep", 99)).toFixed(1)} | ${range(per("ofrep", 99), 0)} |`);
    console.log(`| SDK stream put | ${receipts("sdk")} / ${STREAMS * CHANGES * ROUNDS} | ${sf.failed} | ${median(per("sdk", 50)).toFixed(1)} | ${median(per("sdk", 99)).toFixed(1)} | ${range(per("sdk", 99), 0)} |`);
    const single = median(ratioOf(1));
    const revalidate = median(ratioOf(3));
    const streamRatios = streamRounds.map((x) => pct(x.ofrep, 99) / pct(x.sdk, 99));
    const streamRatio = median(streamRatios);
    console.log(
      `\ntargets (medians over ${ROUNDS} rounds, each against its own round): single ${single.toFixed(2)}x floor (>= 0.7) ${single >= 0.7 ? "met" : "MISSED"} [${range(ratioOf(1), 2)}]; ` +
        `304 ${revalidate.toFixed(2)}x floor (>= 0.8) ${revalidate >= 0.8 ? "met" : "MISSED"} [${range(ratioOf(3), 2)}]; ` +
        `stream p99 OFREP/SDK ${streamRatio.toFixed(2)} (<= 1.2) ${streamRatio <= 1.2 ? "met" : "MISSED"} [${range(streamRatios, 2)}]`,
    );
  } finally {
    for (const c of children) await stopChild(c);
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
