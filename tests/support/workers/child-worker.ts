import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ChildWorker {
  readonly id: string;
  readonly proc: ChildProcess;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  waitForLog(event: string, timeoutMs?: number, where?: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the metrics port once the server listens. */
  metricsPort(): Promise<number>;
  healthz(): Promise<{ role: string } & Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs workers/main.ts in its own process (so it can be SIGKILLed like a real crash). */
export function spawnWorker(id: string, env: Record<string, string>): ChildWorker {
  const proc = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, WORKER_ID: id, WORKER_METRICS_PORT: "0", WORKER_METRICS_HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buf = "";
  proc.stdout!.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ event: "raw", line });
      }
      for (const w of waiters) w();
    }
  });
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  const waitForLog: ChildWorker["waitForLog"] = (event, timeoutMs = 15_000, where = () => true) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = logs.find((l) => l.event === event && where(l));
        if (hit) return done(() => resolve(hit));
        if (proc.exitCode !== null || proc.signalCode !== null) done(() => reject(new Error(`worker ${id} exited before '${event}'. stderr: ${stderr}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`worker ${id}: no '${event}' log within ${timeoutMs} ms. stderr: ${stderr}`))), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  const metricsPort = async () => Number((await waitForLog("metrics_server.listening")).port);
  return {
    id,
    proc,
    logs,
    waitForLog,
    metricsPort,
    async healthz() {
      const res = await fetch(`http://127.0.0.1:${await metricsPort()}/healthz`);
      return (await res.json()) as { role: string };
    },
    exited,
    async kill(signal = "SIGKILL") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}
