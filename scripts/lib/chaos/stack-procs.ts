import { cp, mkdir, readFile, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { NodeProcess, ROOT, waitLine } from "./node-process";

export interface SharedEnv {
  DATABASE_URL: string;
  ETCD_ENDPOINTS: string;
  ETCD_PREFIX: string;
  AUTH_SECRET: string;
}

/**
 * A worker process (workers/main.ts): relay + reconciler under leader election, and the SDK stream
 * server on a fixed port so its clients find it again after a restart.
 */
export class WorkerProc {
  readonly proc: NodeProcess;
  leader = false;
  repairs = 0;
  readonly leaderEvents: { at: number; elected: boolean }[] = [];

  constructor(
    readonly index: number,
    readonly streamPort: number,
    env: SharedEnv,
    logDir: string,
    opts: { reconcileIntervalMs: number; leaseTtlSeconds: number; args: string[] },
  ) {
    this.proc = new NodeProcess({
      name: `worker-${index}`,
      args: opts.args,
      env: {
        ...env,
        NODE_ENV: "production",
        WORKER_ID: `chaos-w${index}`,
        WORKER_METRICS_PORT: "0",
        WORKER_METRICS_HOST: "127.0.0.1",
        STREAM_PORT: String(streamPort),
        STREAM_HOST: "127.0.0.1",
        LEASE_TTL_SECONDS: String(opts.leaseTtlSeconds),
        RECONCILE_INTERVAL_MS: String(opts.reconcileIntervalMs),
        SHUTDOWN_TIMEOUT_MS: "10000",
        LOG_LEVEL: "info",
      },
      logFile: path.join(logDir, `worker-${index}.log`),
    });
    this.proc.onLine((l) => {
      if (l.event === "leader.elected") this.setLeader(true);
      else if (l.event === "leader.lost" || l.event === "leader.resigned") this.setLeader(false);
      else if (l.event === "reconcile.repaired") this.repairs++;
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.streamPort}`;
  }

  private setLeader(v: boolean): void {
    if (this.leader === v) return;
    this.leader = v;
    this.leaderEvents.push({ at: Date.now(), elected: v });
  }

  /** Starts the process and waits until its stream server listens. */
  async start(timeoutMs = 60_000): Promise<void> {
    const listening = waitLine(this.proc, (l) => l.event === "stream_server.listening", timeoutMs, "stream_server.listening");
    await this.proc.start();
    await listening;
  }

  async kill(): Promise<void> {
    await this.proc.kill();
    this.setLeader(false);
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    this.setLeader(false);
  }
}

/**
 * A private copy of the app's production build (`.next` without caches, the config files, and a
 * node_modules link), so `next start` keeps serving one consistent build even if someone rebuilds
 * the project's `.next` during the run. Null when there is no build, or it changed while copying.
 */
export async function snapshotAppBuild(into: string): Promise<string | null> {
  const buildId = () => readFile(path.join(ROOT, ".next", "BUILD_ID"), "utf8").catch(() => null);
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = await buildId();
    if (!before) return null;
    await rm(into, { recursive: true, force: true });
    await mkdir(into, { recursive: true });
    const skip = new Set(["cache", "dev", "trace", "trace-build", "diagnostics"].map((d) => path.join(ROOT, ".next", d)));
    const ok = await cp(path.join(ROOT, ".next"), path.join(into, ".next"), { recursive: true, verbatimSymlinks: true, filter: (src) => !skip.has(src) }).then(
      () => true,
      () => false,
    );
    if (!ok || (await buildId()) !== before) continue;
    for (const f of ["next.config.ts", "package.json", "tsconfig.json", "tsconfig.next.json"]) await cp(path.join(ROOT, f), path.join(into, f)).catch(() => {});
    await symlink(path.join(ROOT, "node_modules"), path.join(into, "node_modules"));
    return into;
  }
  return null;
}

/** The Next.js app (`next start` of a snapshot of the existing build), writes through its admin API. */
export class AppProc {
  readonly proc: NodeProcess;

  constructor(
    readonly port: number,
    env: SharedEnv,
    logDir: string,
    appDir: string,
  ) {
    this.proc = new NodeProcess({
      name: "app",
      args: [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", appDir, "-p", String(port), "-H", "127.0.0.1"],
      env: {
        ...env,
        NODE_ENV: "production",
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        NEXT_TELEMETRY_DISABLED: "1",
        IMMEDIATE_PUBLISH: "on",
        LOG_LEVEL: "warn",
      },
      logFile: path.join(logDir, "app.log"),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `next start` and waits until it answers /api/health (200, or 503 while etcd is down). */
  async start(timeoutMs = 60_000): Promise<void> {
    await this.proc.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.proc.alive) throw new Error(`the app exited during start (log: ${this.proc.spec.logFile})`);
      const status = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
      if (status === 200 || status === 503) return;
      if (Date.now() > deadline) throw new Error(`the app did not answer within ${timeoutMs} ms (log: ${this.proc.spec.logFile})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
