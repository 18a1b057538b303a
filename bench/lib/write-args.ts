import { parseArgs } from "node:util";

/** Command line of bench/write-throughput.ts. */
export interface WriteBenchOptions {
  seconds: number;
  warmup: number;
  concurrency: number;
  flags: number;
  runs: number;
  /** Open-loop request rate (writes/s); null = closed loop (as fast as the app answers). */
  rate: number | null;
  relaxedDurability: boolean;
  noBuild: boolean;
  /** Writes a V8 CPU profile of the `next start` process (and the worker) into this directory. */
  cpuProf: string | null;
  json: string | null;
  /** Changes per request (1: one PUT per change; more: POST /api/v1/value-changes). */
  batch: number;
  /** Which server takes the writes: the worker's node:http admin API, or the Next.js app. */
  target: "sidecar" | "next";
  /** Leaves the stack running after the runs (Ctrl-C to stop), for poking at it. */
  keep: boolean;
  /** Sends a fresh Idempotency-Key with every request (what a careful client does). */
  keyed: boolean;
}

const USAGE = `usage: node --import tsx bench/write-throughput.ts [options]
  --seconds N            measured duration per run (default 20)
  --warmup N             warm-up seconds before each measured run (default 5)
  --concurrency N        concurrent requests in flight (default 64)
  --flags N              bench flags (boolean/number, alternating; default 200)
  --runs N               measured runs on the same stack; medians are printed (default 1)
  --target T             sidecar (default: the worker's node:http admin API, same handlers) or next
                         (the Next.js route handlers of 'next start')
  --batch N              changes per request (default 1 = one PUT per change); N > 1 sends them
                         as one all-or-nothing POST /api/v1/value-changes; writes/s counts changes
  --rate N               open loop: start N writes/s (at most --concurrency in flight) instead of
                         a closed loop, to measure latency and lag below saturation
  --relaxed-durability   hermetic MariaDB with innodb_flush_log_at_trx_commit=2 (default: 1, durable)
  --no-build             never run 'next build' (fails without a build, warns if stale)
  --cpu-prof DIR         V8 CPU profiles of the app and worker processes into DIR
  --json FILE            also write the results as JSON
  --keyed                a fresh Idempotency-Key header on every request
  --keep                 keep the stack running afterwards (Ctrl-C to stop)
With DATABASE_URL and ETCD_ENDPOINTS set, those services are used instead of hermetic ones.`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

export function parseWriteBenchArgs(argv: string[]): WriteBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      flags: { type: "string" },
      runs: { type: "string" },
      rate: { type: "string" },
      target: { type: "string", default: "sidecar" },
      batch: { type: "string" },
      "relaxed-durability": { type: "boolean", default: false },
      "no-build": { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
      json: { type: "string" },
      keep: { type: "boolean", default: false },
      keyed: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.target !== "sidecar" && values.target !== "next") throw new Error(`--target must be sidecar or next\n${USAGE}`);
  return {
    target: values.target,
    batch: positiveInt("batch", values.batch, 1),
    seconds: positiveInt("seconds", values.seconds, 20),
    warmup: values.warmup === "0" ? 0 : positiveInt("warmup", values.warmup, 5),
    concurrency: positiveInt("concurrency", values.concurrency, 64),
    flags: positiveInt("flags", values.flags, 200),
    runs: positiveInt("runs", values.runs, 1),
    rate: values.rate === undefined ? null : positiveInt("rate", values.rate, 1),
    relaxedDurability: values["relaxed-durability"] ?? false,
    noBuild: values["no-build"] ?? false,
    cpuProf: values["cpu-prof"] ?? null,
    json: values.json ?? null,
    keep: values.keep ?? false,
    keyed: values.keyed ?? false,
  };
}
