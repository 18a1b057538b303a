import path from "node:path";
import { NodeProcess, waitMessage } from "./node-process";
import type { CommitRecord, WriterMessage, WriterStart, WriterStats } from "./protocol";
import type { SharedEnv } from "./stack-procs";

/** The writer child as the run sees it: every commit it reported, over all its incarnations. */
export class WriterProc {
  readonly proc: NodeProcess;
  readonly commits: CommitRecord[] = [];
  private finished: WriterStats[] = [];
  private current: WriterStats | null = null;
  private incarnation = 0;

  constructor(
    env: SharedEnv,
    logDir: string,
    private readonly config: Omit<WriterStart, "type" | "seed"> & { seed: number },
    args: string[],
  ) {
    this.proc = new NodeProcess({
      name: "writer",
      args,
      env: { ...env, NODE_ENV: "production", LOG_LEVEL: "warn" },
      logFile: path.join(logDir, "writer.log"),
      ipc: true,
    });
    this.proc.onMessage((raw) => {
      const m = raw as WriterMessage;
      if (m.type === "commits") for (const c of m.commits) this.commits.push(c);
      else if (m.type === "stats" || m.type === "stopped") this.current = m.stats;
    });
  }

  /** Starts a writer and waits until it has reported MySQL's baseline and begun writing. */
  async start(): Promise<void> {
    if (this.current) this.finished.push(this.current);
    this.current = null;
    const ready = waitMessage(this.proc, (m) => ((m as WriterMessage).type === "ready" ? true : undefined), 60_000, "writer ready");
    await this.proc.start();
    const { seed, ...rest } = this.config;
    this.proc.send({ type: "start", ...rest, seed: seed + 7919 * this.incarnation++ } satisfies WriterStart);
    await ready;
  }

  /** Asks the writer to finish its in-flight changes and exit. */
  async finish(): Promise<void> {
    if (!this.proc.alive) return;
    const stopped = waitMessage(this.proc, (m) => ((m as WriterMessage).type === "stopped" ? true : undefined), 60_000, "writer stopped");
    this.proc.send({ type: "stop" });
    await stopped;
    await this.proc.whenExited();
  }

  stats(): WriterStats {
    const all = [...this.finished, ...(this.current ? [this.current] : [])];
    return {
      ops: all.reduce((a, s) => a + s.ops, 0),
      viaApp: all.reduce((a, s) => a + s.viaApp, 0),
      appFailures: all.reduce((a, s) => a + s.appFailures, 0),
      errors: all.reduce((a, s) => a + s.errors, 0),
      resyncs: all.reduce((a, s) => a + s.resyncs, 0),
      lastErrors: all.flatMap((s) => s.lastErrors).slice(-10),
    };
  }
}
