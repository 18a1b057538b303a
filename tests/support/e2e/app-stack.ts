import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { freePort } from "../../../scripts/lib/local-services";
import { ROOT } from "./next-build";

/**
 * The app (`next start` of the e2e build) and the worker (outbox relay + reconciler), started as
 * child processes against one test database and etcd prefix, like `npm run stack` runs them.
 */
export interface AppStack {
  url: string;
  authSecret: string;
  /** Process ids of the app (`next start`) and, if started, the worker: for tests that pause them. */
  pids: { app: number; worker?: number };
  logs(): string;
  stop(): Promise<void>;
}

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, sink: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const keep = (c: Buffer) => {
    sink.push(`[${name}] ${c.toString()}`);
    if (sink.length > 400) sink.splice(0, sink.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

export async function startAppStack(opts: { databaseUrl: string; etcdEndpoints: string[]; etcdPrefix: string; worker?: boolean }): Promise<AppStack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const authSecret = randomBytes(32).toString("base64");
  const sink: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: opts.databaseUrl,
    ETCD_ENDPOINTS: opts.etcdEndpoints.join(","),
    ETCD_PREFIX: opts.etcdPrefix,
    AUTH_SECRET: authSecret,
    NEXTAUTH_URL: url,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
  };
  const children: ChildProcess[] = [];
  if (opts.worker !== false) {
    children.push(startChild("worker", ["--import", "tsx", "workers/main.ts"], { ...env, WORKER_METRICS_PORT: "0", WORKER_METRICS_HOST: "127.0.0.1", WORKER_ID: `e2e-${port}` }, sink));
  }
  children.push(startChild("app", [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], env, sink));
  const stack: AppStack = {
    url,
    authSecret,
    pids: { app: children.at(-1)!.pid!, worker: opts.worker !== false ? children[0]!.pid : undefined },
    logs: () => sink.join(""),
    stop: async () => {
      for (const c of children.reverse()) await stopChild(c);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) {
      await stack.stop();
      throw new Error(`a stack process exited during start:\n${stack.logs().slice(-4000)}`);
    }
    const ok = await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false);
    if (ok) return stack;
    if (Date.now() > deadline) {
      await stack.stop();
      throw new Error(`the app did not become healthy at ${url}:\n${stack.logs().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
