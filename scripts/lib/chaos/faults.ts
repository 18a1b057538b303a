import type { ServiceHandle } from "../local-services/types";
import type { AppProc, WorkerProc } from "./stack-procs";
import type { ChaosEtcd } from "./services";
import type { WriterProc } from "./writer";
import { between, sleep } from "./rng";

export const FAULT_KINDS = ["leader", "standby", "etcd", "app", "writer", "mysql", "freeze-worker", "freeze-etcd", "freeze-mysql"] as const;
/**
 * What a run does unless told otherwise. MySQL outages are opt-in (`--faults ...,mysql`), and so
 * are the freezes (`freeze-worker`, `freeze-etcd`, `freeze-mysql`: SIGSTOP, then SIGCONT).
 */
export const DEFAULT_FAULTS: FaultKind[] = ["leader", "standby", "etcd", "app", "writer"];
export type FaultKind = (typeof FAULT_KINDS)[number];

const LANES: FaultKind[][] = [["etcd", "mysql", "freeze-etcd", "freeze-mysql"], ["leader", "standby", "freeze-worker"], ["app", "writer"]];

/**
 * How long a freeze lasts: the pauses seen in production-like probes (a GC or CPU-throttled worker
 * ~4.2 s, an etcd member 4 s, MariaDB 6 s). Long enough to pass the statement deadline (4 s) and
 * keepalive timeouts, short enough that nothing is restarted.
 */
const FREEZE_MS: Record<"freeze-worker" | "freeze-etcd" | "freeze-mysql", number> = { "freeze-worker": 4_200, "freeze-etcd": 4_000, "freeze-mysql": 6_000 };

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** Stream server whose clients lost their connection (worker kills), else null. */
  server: number | null;
  killedAt: number;
  /** When the restart began (the process was spawned again). */
  restartAt: number;
  /** When it was ready again (stream listening, etcd healthy, app answering, writer writing). */
  upAt: number;
  error?: string;
}

export interface FaultTargets {
  mysql: ServiceHandle;
  workers: WorkerProc[];
  etcd: ChaosEtcd;
  app: AppProc | null;
  writer: WriterProc;
}

export interface FaultOptions {
  kinds: FaultKind[];
  random: () => number;
  /** Pause between two faults of one lane. */
  gapMs: [number, number];
  /** How long a killed process stays down before its restart begins. */
  downMs: [number, number];
  log: (msg: string) => void;
}

/**
 * kill -9 and restart, at seeded random times. Three lanes run side by side so faults overlap:
 * etcd (members) and, when asked for, MySQL; the workers (the leader, the standby; at most one down at a time, so SDK clients
 * of the other stream keep being served), the write path (the app, the writer). Each lane deals its
 * kinds from a shuffled deck, so a short run still gets every kind.
 */
export class ChaosMonkey {
  readonly records: FaultRecord[] = [];
  private stopping = false;

  constructor(
    private readonly t: FaultTargets,
    private readonly o: FaultOptions,
  ) {}

  async run(durationMs: number): Promise<void> {
    const until = Date.now() + durationMs;
    const lanes = LANES.map((kinds) => kinds.filter((k) => this.o.kinds.includes(k) && (k !== "app" || this.t.app)));
    await Promise.all(lanes.map((kinds, i) => this.lane(kinds, until, i / LANES.length)));
  }

  stop(): void {
    this.stopping = true;
  }

  private async lane(kinds: FaultKind[], until: number, offsetShare: number): Promise<void> {
    if (!kinds.length) return;
    const r = this.o.random;
    await sleep(offsetShare * between(r, ...this.o.gapMs));
    let deck: FaultKind[] = [];
    while (!this.stopping) {
      await sleep(between(r, ...this.o.gapMs));
      if (this.stopping || Date.now() >= until) break;
      if (!deck.length) deck = shuffle(kinds, r);
      await this.fault(deck.shift()!);
    }
  }

  private async fault(kind: FaultKind): Promise<void> {
    if (kind === "freeze-worker" || kind === "freeze-etcd" || kind === "freeze-mysql") return this.freeze(kind);
    const r = this.o.random;
    const down = between(r, ...this.o.downMs);
    const rec: FaultRecord = { kind, target: "", server: null, killedAt: 0, restartAt: 0, upAt: 0 };
    let restart: () => Promise<void>;
    if (kind === "leader" || kind === "standby") {
      const want = kind === "leader";
      const candidates = this.t.workers.filter((w) => w.proc.alive && w.leader === want);
      const w = candidates[0] ?? this.t.workers.filter((x) => x.proc.alive)[Math.floor(r() * this.t.workers.length)] ?? this.t.workers[0]!;
      rec.target = `worker-${w.index}${w.leader ? " (leader)" : ""}`;
      rec.server = w.index;
      rec.killedAt = Date.now();
      await w.kill();
      restart = () => w.start();
    } else if (kind === "etcd") {
      const v = await this.t.etcd.victim();
      rec.target = v.name;
      rec.killedAt = Date.now();
      await v.member.kill();
      restart = () => v.member.restart();
    } else if (kind === "mysql") {
      rec.target = "mysql";
      rec.killedAt = Date.now();
      await this.t.mysql.kill();
      restart = () => this.t.mysql.restart();
    } else if (kind === "app") {
      const app = this.t.app!;
      rec.target = "app";
      rec.killedAt = Date.now();
      await app.proc.kill();
      restart = () => app.start();
    } else {
      rec.target = "writer";
      rec.killedAt = Date.now();
      await this.t.writer.proc.kill();
      restart = () => this.t.writer.start();
    }
    await sleep(down);
    rec.restartAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await restart();
        break;
      } catch (err) {
        rec.error = err instanceof Error ? err.message : String(err);
        this.o.log(`restart of ${rec.target} failed (attempt ${attempt}): ${rec.error}`);
        if (attempt >= 5) break;
        await sleep(500);
      }
    }
    rec.upAt = Date.now();
    this.records.push(rec);
    this.o.log(`killed ${rec.target}: down ${rec.restartAt - rec.killedAt} ms, restart took ${rec.upAt - rec.restartAt} ms`);
  }

  private async freeze(kind: "freeze-worker" | "freeze-etcd" | "freeze-mysql"): Promise<void> {
    const rec: FaultRecord = { kind, target: "", server: null, killedAt: 0, restartAt: 0, upAt: 0 };
    let pid: number | undefined;
    if (kind === "freeze-worker") {
      const live = this.t.workers.filter((w) => w.proc.alive);
      const w = live[Math.floor(this.o.random() * live.length)];
      pid = w?.proc.pid;
      rec.target = w ? `worker-${w.index}${w.leader ? " (leader)" : ""}` : "worker";
    } else if (kind === "freeze-etcd") {
      const v = await this.t.etcd.victim();
      pid = v.member.pid;
      rec.target = v.name;
    } else {
      pid = this.t.mysql.pid;
      rec.target = "mysql";
    }
    rec.killedAt = Date.now();
    if (pid === undefined) rec.error = `${rec.target} is not running`;
    else {
      try {
        await freezeProcess(pid, FREEZE_MS[kind]);
      } catch (err) {
        rec.error = err instanceof Error ? err.message : String(err);
      }
    }
    rec.restartAt = rec.upAt = Date.now();
    this.records.push(rec);
    this.o.log(`froze ${rec.target} for ${rec.restartAt - rec.killedAt} ms${rec.error ? ` (${rec.error})` : ""}`);
  }
}

/** Freezes a live process (SIGSTOP) and thaws it (SIGCONT): nothing restarts, connections stay open. */
async function freezeProcess(pid: number, ms: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  try {
    await sleep(ms);
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

function shuffle<T>(items: T[], r: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
