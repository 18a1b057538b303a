import { DEFAULT_FAULTS, FAULT_KINDS, type FaultKind } from "./faults";

export interface ChaosOptions {
  clients: number;
  seconds: number;
  flags: number;
  envs: number;
  seed: number;
  /** etcd members: 1, or a loopback cluster (3) whose leader is what an etcd fault kills. */
  etcdMembers: number;
  /** Run the Next.js app as a second write path: "auto" = when a build (.next/BUILD_ID) exists. */
  app: boolean | "auto";
  /** Writer target, mutations per second. */
  rate: number;
  writerConcurrency: number;
  /** SDK client processes. */
  clientProcs: number;
  faults: FaultKind[];
  gapMs: [number, number];
  downMs: [number, number];
  /** Only value changes (the etcd cluster suite: keeps delivery latency exactly defined). */
  setOnly: boolean;
  /** SDK reconnect backoff cap. */
  maxBackoffMs: number;
  reconcileIntervalMs: number;
  leaseTtlSeconds: number;
  /** Keep the data and logs directory after the run. */
  keep: boolean;
  quiet: boolean;
  /** Run the child programs through tsx instead of an esbuild bundle made at start. */
  tsx: boolean;
}

export const DEFAULTS: ChaosOptions = {
  clients: 200,
  seconds: 60,
  flags: 50,
  envs: 2,
  seed: 1,
  etcdMembers: 1,
  app: "auto",
  rate: 60,
  writerConcurrency: 6,
  clientProcs: 2,
  faults: [...DEFAULT_FAULTS],
  gapMs: [2_000, 5_000],
  downMs: [300, 2_000],
  setOnly: false,
  maxBackoffMs: 3_000,
  reconcileIntervalMs: 10_000,
  leaseTtlSeconds: 2,
  keep: false,
  quiet: false,
  tsx: false,
};

const USAGE = `usage: node --import tsx scripts/chaos.ts [--clients 200] [--seconds 60] [--flags 50] [--envs 2] [--seed N]
  [--etcd-cluster 3] [--app | --no-app] [--rate 60] [--client-procs 2] [--faults leader,standby,etcd,app,writer[,mysql,freeze-worker,freeze-etcd,freeze-mysql]]
  [--set-only] [--keep] [--quiet] [--tsx]`;

/** Parses the command line over the defaults; throws with the usage on anything unknown. */
export function parseArgs(argv: string[]): ChaosOptions {
  const o: ChaosOptions = { ...DEFAULTS, faults: [...DEFAULTS.faults] };
  const int = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case "--clients": o.clients = int("clients", next(), 1, 20_000); break;
      case "--seconds": o.seconds = int("seconds", next(), 1, 3_600); break;
      case "--flags": o.flags = int("flags", next(), 1, 2_000); break;
      case "--envs": o.envs = int("envs", next(), 1, 10); break;
      case "--seed": o.seed = int("seed", next(), 0, 2 ** 31); break;
      case "--etcd-cluster": o.etcdMembers = int("etcd-cluster", next(), 1, 7); break;
      case "--rate": o.rate = int("rate", next(), 1, 5_000); break;
      case "--client-procs": o.clientProcs = int("client-procs", next(), 1, 32); break;
      case "--app": o.app = true; break;
      case "--no-app": o.app = false; break;
      case "--set-only": o.setOnly = true; break;
      case "--keep": o.keep = true; break;
      case "--quiet": o.quiet = true; break;
      case "--tsx": o.tsx = true; break;
      case "--faults": {
        const list = (next() ?? "").split(",").filter(Boolean);
        const bad = list.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
        if (bad.length) throw new Error(`unknown fault kind(s) ${bad.join(", ")}; known: ${FAULT_KINDS.join(", ")}\n${USAGE}`);
        o.faults = list as FaultKind[];
        break;
      }
      case "--help":
      case "-h":
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  return o;
}
