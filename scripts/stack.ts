/**
 * The quick-start stack: `npm run stack`.
 *
 * Finds or starts MariaDB/MySQL and etcd (DATABASE_URL / ETCD_ENDPOINTS when set, else private
 * `mariadbd` and `etcd` child processes with data under .data/, installed from Debian's packages
 * when missing), applies migrations, seeds an admin, an API token and demo flags, builds and starts
 * the app and the worker, and prints how to use them. Ctrl-C stops everything in reverse order.
 *
 * Options: --port 3000 (app), --stream-port 8787, --dev (next dev instead of build + start),
 *          --fresh (delete .data first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { closeDb, createDb } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { createEtcd } from "../lib/etcd/client";
import { createImmediatePublisher } from "../lib/outbox/immediate-publisher";
import { seedDemo } from "../lib/seed/seed-demo";
import { needsBuild } from "./lib/build-freshness";
import { ensureBinaries, freePort, startEtcd, startMariaDb, type ServiceHandle } from "./lib/local-services";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA = path.join(ROOT, ".data");
const say = (msg: string) => console.log(`[mizuflow] ${msg}`);

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3000" },
    "stream-port": { type: "string", default: process.env.STREAM_PORT ?? "8787" },
    "metrics-port": { type: "string", default: process.env.WORKER_METRICS_PORT ?? "9464" },
    dev: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
  },
});

const services: { name: string; stop: () => Promise<void> }[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping ...");
    for (const s of services.reverse()) {
      await s.stop().catch((err: unknown) => console.error(`  ${s.name}: ${String(err)}`));
      say(`  stopped ${s.name}`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
// If whatever started us goes away without signalling (npm killed by a timeout, a closed
// terminal), stop too instead of leaving the database, etcd, app and worker running.
const parentPid = process.ppid;
setInterval(() => process.ppid !== parentPid && void stopAll(0), 1000).unref();

/** A dev-only AUTH_SECRET generated once per checkout and kept in .data (never committed). */
async function authSecret(): Promise<string> {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.join(DATA, "auth-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64");
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return secret;
}

async function portOrFree(wanted: number): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => void freePort().then(resolve));
    srv.listen(wanted, "127.0.0.1", () => srv.close(() => resolve(wanted)));
  });
}

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile?: string): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((l) => `  ${name} | ${l}`)
      .join("\n");
  child.stdout?.on("data", (c: Buffer) => console.log(prefix(c)));
  child.stderr?.on("data", (c: Buffer) => console.error(prefix(c)));
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[mizuflow] ${name} exited (${signal ?? code}); stopping the stack${logFile ? `; see ${logFile}` : ""}`);
      void stopAll(1);
    }
  });
  services.push({
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 10_000);
        child.once("exit", () => (clearTimeout(timer), resolve()));
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      }),
  });
  return child;
}

/**
 * Waits until `url` answers 2xx. The app's /api/health is 200 once MySQL and etcd answer; the
 * worker's stream server /healthz is 200 once its watch hub holds a state to serve (503 before).
 */
async function waitForHttp(url: string, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up at ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  if (opts.fresh) await rm(DATA, { recursive: true, force: true });
  await mkdir(DATA, { recursive: true });

  let databaseUrl = process.env.DATABASE_URL;
  let etcdEndpoints = process.env.ETCD_ENDPOINTS?.split(",").filter(Boolean);
  await ensureBinaries({ mariadb: !databaseUrl, etcd: !etcdEndpoints?.length });
  if (!databaseUrl) {
    say("starting MariaDB (data in .data/mariadb) ...");
    const db = await startMariaDb({ baseDir: DATA, port: await portOrFree(3307), database: "mizuflow", durable: true });
    services.push({ name: "mariadb", stop: () => db.stop() } satisfies Pick<ServiceHandle, "stop"> & { name: string });
    databaseUrl = db.url;
  }
  if (!etcdEndpoints?.length) {
    say("starting etcd (data in .data/etcd) ...");
    const etcd = await startEtcd({ baseDir: DATA, port: await portOrFree(2389) });
    services.push({ name: "etcd", stop: () => etcd.stop() });
    etcdEndpoints = etcd.endpoints;
  }
  say("applying migrations ...");
  await migrateDatabase(databaseUrl);

  const prefix = process.env.ETCD_PREFIX ?? "/mizuflow/v1/";
  const db = createDb(databaseUrl, 4);
  const etcd = createEtcd(etcdEndpoints, prefix);
  const adminEmail = process.env.MIZUFLOW_ADMIN_EMAIL ?? "admin@example.com";
  const seeded = await seedDemo({ db, adminEmail, adminPassword: process.env.MIZUFLOW_ADMIN_PASSWORD, onCommitted: createImmediatePublisher(db, etcd.root) });
  await new Promise((r) => setTimeout(r, 200)); // let the immediate publishes finish before closing
  await closeDb(db);
  etcd.client.close();

  const appPort = await portOrFree(Number(opts.port));
  const streamPort = await portOrFree(Number(opts["stream-port"]));
  const metricsPort = await portOrFree(Number(opts["metrics-port"]));
  const appUrl = `http://localhost:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    ETCD_ENDPOINTS: etcdEndpoints.join(","),
    ETCD_PREFIX: prefix,
    AUTH_SECRET: await authSecret(),
    NEXTAUTH_URL: appUrl,
    NEXT_TELEMETRY_DISABLED: "1",
  };

  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  if (!opts.dev && (await needsBuild(ROOT))) {
    say("building the app (next build; first run takes a minute or two) ...");
    await new Promise<void>((resolve, reject) => {
      const b = spawn(process.execPath, [nextBin, "build"], { cwd: ROOT, env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });
      b.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
    });
  }
  say("starting the worker and the app ...");
  run("worker", process.execPath, ["--import", "tsx", "workers/main.ts"], {
    ...env,
    NODE_ENV: opts.dev ? "development" : "production",
    STREAM_PORT: String(streamPort),
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_METRICS_HOST: "127.0.0.1",
  });
  run("app", process.execPath, [nextBin, opts.dev ? "dev" : "start", "-p", String(appPort), "-H", "127.0.0.1"], {
    ...env,
    NODE_ENV: opts.dev ? "development" : "production",
  });
  // "running" only once every endpoint printed below answers, the worker's included.
  await Promise.all([
    waitForHttp(`${appUrl}/api/health`, "the app"),
    waitForHttp(`http://localhost:${streamPort}/healthz`, "the worker's stream server"),
    waitForHttp(`http://localhost:${metricsPort}/healthz`, "the worker's metrics server"),
  ]);

  const token = seeded.apiToken;
  const lines = [
    "",
    "MizuFlow is running.",
    `  Console:        ${appUrl}`,
    `  Sign in:        ${adminEmail}  /  ${seeded.adminPassword ?? "(the password printed when this admin was first created; or restart with --fresh)"}`,
    `  Admin API token: ${token ? `${token}  (super-admin; expires ${seeded.apiTokenExpiresAt})` : "(created on first run and shown only then; create a new one in the console under API tokens)"}`,
    ...seeded.warnings.map((w) => `  Warning:        ${w}`),
    `  SDK stream:     ${appUrl}/api/sdk/v1/stream  (and the worker's stream server on http://localhost:${streamPort})`,
    `  Worker metrics: http://localhost:${metricsPort}/metrics`,
    `  etcd:           ${etcdEndpoints.join(",")}  (prefix ${prefix})`,
    "",
    "Try it:",
    `  curl -s -X PUT ${appUrl}/api/v1/flags/checkout/new-checkout-flow/values/production \\`,
    `       -H "Authorization: Bearer ${token ?? "$MIZUFLOW_TOKEN"}" -H 'content-type: application/json' -d '{"value":true}'`,
    etcdReadHint(etcdEndpoints[0]!, `${prefix}flags/production/checkout/new-checkout-flow`),
    "",
    "Follow production's flags live with the SDK (in another terminal; run the curl above again to see a change):",
    `  MIZUFLOW_URL=http://localhost:${streamPort} MIZUFLOW_SDK_KEY=${seeded.sdkKey ?? "<an SDK key from the console>"} npx tsx examples/sdk-node.ts`,
    "",
    "Press Ctrl-C to stop everything.",
  ];
  console.log(lines.join("\n"));
}

/** etcdctl when installed (Debian ships it in etcd-client, not etcd-server), else etcd's JSON gateway. */
function etcdReadHint(endpoint: string, key: string): string {
  const hasEtcdctl = (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, "etcdctl")));
  if (hasEtcdctl) return `  ETCDCTL_API=3 etcdctl --endpoints=${endpoint} get ${key}`;
  const b64 = Buffer.from(key).toString("base64");
  return `  curl -s ${endpoint}/v3/kv/range -d '{"key":"${b64}"}'   # etcd's JSON gateway; the value is base64`;
}

main().catch(async (err: unknown) => {
  console.error(`[mizuflow] ${err instanceof Error ? err.message : String(err)}`);
  await stopAll(1);
});
