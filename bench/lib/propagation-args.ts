/** Command line of bench/propagation.ts. */
export interface PropagationArgs {
  streams: number;
  changes: number;
  /** Which servers to measure, in order. */
  targets: ("sidecar" | "next" | "raw")[];
  /** Parallel connection attempts while opening streams. */
  connectConcurrency: number;
  /** Pause between two changes once every stream has the previous one (ms). */
  gapMs: number;
  /** Load-client processes the streams are spread over (one process serialises its receipts). */
  clients: number;
  /** What each change commits: the value, or the flag's rules (issue 14; same version, same event). */
  change: "value" | "rules";
}

const USAGE = `usage: npx tsx bench/propagation.ts [--streams 2000] [--changes 50] [--targets sidecar,next,raw]
                                  [--connect-concurrency 250] [--gap-ms 50] [--clients 2] [--change value|rules]`;

export function parseArgs(argv: string[]): PropagationArgs {
  const args: PropagationArgs = { streams: 2000, changes: 50, targets: ["sidecar", "next", "raw"], connectConcurrency: 250, gapMs: 50, clients: 2, change: "value" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const num = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer\n${USAGE}`);
      i++;
      return n;
    };
    if (flag === "--streams") args.streams = Math.max(1, num());
    else if (flag === "--changes") args.changes = Math.max(1, num());
    else if (flag === "--connect-concurrency") args.connectConcurrency = Math.max(1, num());
    else if (flag === "--gap-ms") args.gapMs = num();
    else if (flag === "--clients") args.clients = Math.max(1, num());
    else if (flag === "--change") {
      if (value !== "value" && value !== "rules") throw new Error(`--change takes value or rules\n${USAGE}`);
      args.change = value;
      i++;
    }
    else if (flag === "--targets") {
      const list = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      if (!list.length || list.some((t) => !["sidecar", "next", "raw"].includes(t))) throw new Error(`--targets takes sidecar,next,raw\n${USAGE}`);
      args.targets = list as PropagationArgs["targets"];
      i++;
    } else if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return args;
}
