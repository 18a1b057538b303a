import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import { freePort, startEtcd, startMariaDb } from "../../scripts/lib/local-services";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

export interface Services {
  databaseUrl: string;
  etcdEndpoints: string[];
  hermetic: boolean;
  /** innodb_flush_log_at_trx_commit as the server reports it. */
  flushLogAtTrxCommit: string;
  logDir: string;
  /** Process ids of the hermetic MariaDB and etcd (none for external services). */
  pids(): { mariadb?: number; etcd?: number };
  stop(): Promise<void>;
}

/** External services from DATABASE_URL / ETCD_ENDPOINTS, or a private MariaDB and etcd. */
export async function startServices(opts: { relaxedDurability: boolean }): Promise<Services> {
  const baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-write-bench-"));
  const external = process.env.DATABASE_URL && process.env.ETCD_ENDPOINTS;
  let databaseUrl: string;
  let etcdEndpoints: string[];
  const stops: (() => Promise<void>)[] = [];
  let pids: Services["pids"] = () => ({});
  if (external) {
    databaseUrl = process.env.DATABASE_URL!;
    etcdEndpoints = process.env.ETCD_ENDPOINTS!.split(",").map((s) => s.trim()).filter(Boolean);
    if (opts.relaxedDurability) console.log("[bench] --relaxed-durability ignored: external DATABASE_URL keeps its own settings");
  } else {
    const [db, etcd] = await Promise.all([
      startMariaDb({ baseDir, database: "mizuflow_bench", durable: !opts.relaxedDurability }),
      startEtcd({ baseDir }),
    ]);
    databaseUrl = db.url;
    etcdEndpoints = etcd.endpoints;
    stops.push(() => db.stop(), () => etcd.stop());
    pids = () => ({ mariadb: db.pid, etcd: etcd.pid });
  }
  const conn = await mysql.createConnection({ uri: databaseUrl.replace(/\/[^/]*$/, "/") });
  const [rows] = await conn.query("SELECT @@innodb_flush_log_at_trx_commit AS f");
  await conn.end();
  return {
    databaseUrl,
    etcdEndpoints,
    hermetic: !external,
    flushLogAtTrxCommit: String((rows as { f: unknown }[])[0]?.f),
    logDir: baseDir,
    pids,
    async stop() {
      await Promise.allSettled(stops.map((s) => s()));
      await rm(baseDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

export interface ManagedChild {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

// Children run in their own process groups (so a stop reaches `next start`'s own children too); if
// the bench dies on an error or a signal, they are killed here instead of being left behind.
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Spawns a child in its own process group, output to a log file (and kept in memory for parsing). */
function launch(name: string, args: string[], env: NodeJS.ProcessEnv, logDir: string, cpuProf: string | null): ManagedChild {
  // One directory per process: the default file names carry pid and thread id, so the tsx loader
  // thread cannot overwrite the main thread's profile.
  const nodeArgs = cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${path.join(cpuProf, name)}`] : [];
  const proc = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  let text = "";
  const keep = (c: Buffer) => {
    log.write(c);
    text = (text + c.toString("utf8")).slice(-200_000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  if (proc.pid) liveGroups.add(proc.pid);
  const exited = new Promise<void>((resolve) =>
    proc.once("exit", () => {
      if (proc.pid) liveGroups.delete(proc.pid);
      resolve();
    }),
  );
  return {
    proc,
    output: () => text,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null || !proc.pid) return;
      const pid = proc.pid;
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

export interface AppStack {
  appUrl: string;
  app: ManagedChild;
  worker: ManagedChild;
  workerMetricsUrl: string | null;
  /** The worker's stream server, which also serves the admin API. */
  sidecarUrl: string;
  stop(): Promise<void>;
}

/** Starts the real worker (workers/main.ts) and `next start`, and waits until both are up. */
export async function startAppStack(s: Services, prefix: string, cpuProf: string | null): Promise<AppStack> {
  const port = await freePort();
  const streamPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: s.databaseUrl,
    ETCD_ENDPOINTS: s.etcdEndpoints.join(","),
    ETCD_PREFIX: prefix,
    AUTH_SECRET: randomBytes(32).toString("base64"),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
  };
  const worker = launch("worker", ["--import", "tsx", "workers/main.ts"], {
    ...env,
    LOG_LEVEL: "info",
    WORKER_ID: "bench-worker",
    WORKER_METRICS_PORT: "0",
    WORKER_METRICS_HOST: "127.0.0.1",
    STREAM_PORT: String(streamPort),
    STREAM_HOST: "127.0.0.1",
    SIDECAR_ADMIN_API: "on",
  }, s.logDir, cpuProf);
  const app = launch("app", [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], env, s.logDir, cpuProf);
  const appUrl = `http://127.0.0.1:${port}`;
  const stack: AppStack = {
    appUrl,
    app,
    worker,
    workerMetricsUrl: null,
    sidecarUrl: `http://127.0.0.1:${streamPort}`,
    async stop() {
      await Promise.all([app.stop(), worker.stop()]);
    },
  };
  try {
    await waitFor(async () => (await fetch(`${appUrl}/api/health`)).status === 200, "the app's /api/health", 120_000, app);
    await waitFor(async () => /"event":"relay.started"/.test(worker.output()), "the worker's relay to start", 30_000, worker);
    await waitFor(async () => (await fetch(`${stack.sidecarUrl}/healthz`)).status === 200, "the worker's stream server", 30_000, worker);
    const m = /"event":"metrics_server.listening"[^\n]*"port":(\d+)/.exec(worker.output());
    stack.workerMetricsUrl = m ? `http://127.0.0.1:${m[1]}/metrics` : null;
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, child: ManagedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`${what}: process exited (${child.proc.exitCode}). Output:\n${child.output().slice(-3000)}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. Output:\n${child.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
