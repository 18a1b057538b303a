/**
 * Hermetic local MariaDB and etcd child processes for tests and the quick-start stack script.
 *
 * - Every instance lives under the caller's `baseDir` (MariaDB in `<baseDir>/mariadb`, etcd member
 *   NAME in `<baseDir>/etcd-NAME`), uses its own free loopback ports and never touches system
 *   services (a system etcd on 2379 or mysqld on 3306 is neither used nor stopped).
 * - MariaDB instances are copied from a template datadir created once per machine/version/uid with
 *   `mariadb-install-db` (root@127.0.0.1 with an empty password), cached in
 *   `os.tmpdir()/mizuflow-mariadb-template-<version>-v1-u<uid>` (override: MIZUFLOW_MARIADB_TEMPLATE_DIR).
 *   An existing `<baseDir>/mariadb/data` (or etcd data dir) is reused, so the stack keeps its data.
 * - startMariaDb/startEtcd/startEtcdCluster call ensureBinaries() for what they need.
 * - Child processes write stdout/stderr to log files next to their data dir. They are SIGKILLed when
 *   this Node process exits; on Linux they are also started via `setpriv --pdeathsig KILL` (when
 *   available) so they die even if Node itself is SIGKILLed.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, statSync, constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface ServiceHandle {
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** SIGTERM, wait for exit (fallback SIGKILL after 5 s). No-op when not running. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit (simulates a crash). No-op when not running. */
  kill(): Promise<void>;
  /** Start again on the SAME port and data dir and wait until ready (stops gracefully first if running). */
  restart(): Promise<void>;
}

export interface MariaDbHandle extends ServiceHandle {
  readonly port: number;
  readonly database: string;
  /** mysql://root@127.0.0.1:PORT/DB */
  readonly url: string;
}

export interface EtcdHandle extends ServiceHandle {
  readonly port: number;
  /** ["http://127.0.0.1:PORT"] */
  readonly endpoints: string[];
}

const STOP_GRACE_MS = 5_000;
const MARIADB_START_TIMEOUT_MS = 60_000; // crash recovery after kill() can take a moment
const ETCD_START_TIMEOUT_MS = 30_000;
const AUTO_PORT_ATTEMPTS = 4;
const ETCD_STOP_PAUSE_MS = 150; // > --election-timeout 100

// ---------------------------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------------------------

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const EXTRA_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      const st = statSync(candidate);
      if (st.isFile() && (st.mode & 0o111) !== 0) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface BinarySpec {
  names: string[];
  pkg: string;
}
const MARIADB_BINARIES: BinarySpec = { names: ['mariadbd', 'mariadb-install-db'], pkg: 'mariadb-server' };
const ETCD_BINARIES: BinarySpec = { names: ['etcd'], pkg: 'etcd-server' };

function requireBinary(name: string): string {
  const found = findBinary(name);
  if (!found) {
    throw new Error(`${name} not found; call ensureBinaries() or install it manually`);
  }
  return found;
}

let aptUpdated: Promise<void> | undefined;
let installChain: Promise<void> = Promise.resolve();

function runInherit(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: env ?? process.env });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * Checks that mariadbd/mariadb-install-db and/or etcd are installed. When something is missing and we
 * run as root with apt-get available, runs `apt-get update` (once per process) and installs only the
 * missing packages; otherwise throws an Error with the exact command to run.
 */
export async function ensureBinaries(which: { mariadb?: boolean; etcd?: boolean } = { mariadb: true, etcd: true }): Promise<void> {
  const wanted: BinarySpec[] = [];
  if (which.mariadb) wanted.push(MARIADB_BINARIES);
  if (which.etcd) wanted.push(ETCD_BINARIES);
  const missingPkgs = (): string[] =>
    wanted.filter((spec) => spec.names.some((n) => findBinary(n) === undefined)).map((spec) => spec.pkg);

  if (missingPkgs().length === 0) return;

  // Serialize installs within this process (and re-check after waiting for a concurrent one).
  const run = installChain.then(async () => {
    const missing = missingPkgs();
    if (missing.length === 0) return;
    const root = isRoot();
    const aptGet = findBinary('apt-get');
    const installCmd = `DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
    if (!root || !aptGet) {
      const prefix = root ? '' : 'sudo ';
      throw new Error(
        `Missing local service binaries (packages: ${missing.join(', ')}). Install them with:\n` +
          `  ${prefix}apt-get update && ${prefix}env ${installCmd}` +
          (aptGet ? '' : '\n(apt-get not found: install MariaDB >= 10.6 (mariadbd, mariadb-install-db) and etcd >= 3.4 with your package manager)'),
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const lockOpt = ['-o', 'DPkg::Lock::Timeout=300'];
    if (!aptUpdated) {
      aptUpdated = runInherit(aptGet, [...lockOpt, 'update'], env).catch((err: unknown) => {
        aptUpdated = undefined;
        throw err;
      });
    }
    await aptUpdated;
    await runInherit(aptGet, [...lockOpt, 'install', '-y', ...missing], env);
    const still = missingPkgs();
    if (still.length > 0) {
      throw new Error(`apt-get install finished but binaries are still missing (packages: ${still.join(', ')})`);
    }
  });
  installChain = run.catch(() => undefined);
  await run;
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

const recentlyIssuedPorts = new Set<number>();

function bindEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** A currently free TCP port on 127.0.0.1 (never the same one twice in this process). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await bindEphemeralPort();
    if (!recentlyIssuedPorts.has(port)) {
      recentlyIssuedPorts.add(port);
      return port;
    }
  }
  throw new Error('freePort(): could not find an unused port');
}

// ---------------------------------------------------------------------------------------------
// Child process registry / orphan protection
// ---------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

function isAlive(child: ChildProcess | undefined): child is ChildProcess {
  return !!child && child.exitCode === null && child.signalCode === null;
}

function killAllChildrenSync(): void {
  for (const child of liveChildren) {
    if (isAlive(child)) {
      try {
        child.kill('SIGKILL');
      } catch {
        // ignore
      }
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllChildrenSync);
  // Signals: only act when nobody else handles the signal (otherwise the other handler decides when to
  // exit, and the 'exit' hook above cleans up). Re-raise so the default behaviour is preserved.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      if (process.listenerCount(sig) > 1) return;
      killAllChildrenSync();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

let setprivPath: string | null | undefined;
async function pdeathsigPrefix(): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  if (setprivPath === undefined) {
    setprivPath = null;
    const candidate = findBinary('setpriv');
    if (candidate) {
      try {
        await execFileAsync(candidate, ['--pdeathsig', 'KILL', '--', 'true']);
        setprivPath = candidate;
      } catch {
        setprivPath = null;
      }
    }
  }
  return setprivPath ? [setprivPath, '--pdeathsig', 'KILL', '--'] : [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readLogTail(file: string, fromOffset: number, maxBytes = 6_000): Promise<string> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(fromOffset <= size ? fromOffset : 0, size - maxBytes);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf.toString('utf8').trimEnd();
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

class StartupError extends Error {
  constructor(
    message: string,
    readonly logText: string,
  ) {
    super(message);
  }
  get addressInUse(): boolean {
    return /address already in use|Do you already have another (mysqld |mariadbd )?server running/i.test(this.logText);
  }
}

interface ProcessSpec {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout+stderr of the child go here */
  stdioLog: string;
  /** additional log files to include in error messages (e.g. mariadb's --log-error file) */
  extraLogs: string[];
  startTimeoutMs: number;
  /** resolves once the service is ready; rejects (or keeps retrying) otherwise; must honour `isCancelled` */
  waitReady: (isCancelled: () => boolean) => Promise<void>;
}

/** One supervised child process (re-spawnable with the same spec). */
class ManagedProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<void> = Promise.resolve();
  private opChain: Promise<unknown> = Promise.resolve();

  constructor(private spec: ProcessSpec) {}

  get pid(): number | undefined {
    return isAlive(this.child) ? this.child.pid : undefined;
  }

  setSpec(spec: ProcessSpec): void {
    this.spec = spec;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.opChain.then(fn, fn);
    this.opChain = run.catch(() => undefined);
    return run;
  }

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }
  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }
  /** Not serialized: also aborts an in-flight start (the start then rejects). */
  kill(): Promise<void> {
    return this.doKill();
  }
  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  private async doStart(): Promise<void> {
    if (isAlive(this.child)) return;
    installExitHooks();
    const spec = this.spec;
    const logOffsets = new Map<string, number>();
    for (const f of [spec.stdioLog, ...spec.extraLogs]) {
      try {
        logOffsets.set(f, statSync(f).size);
      } catch {
        logOffsets.set(f, 0);
      }
    }
    const prefix = await pdeathsigPrefix();
    const [cmd, ...args] = [...prefix, spec.command, ...spec.args] as [string, ...string[]];
    const fd = openSync(spec.stdioLog, 'a');
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        stdio: ['ignore', fd, fd],
        detached: false,
        env: spec.env ?? process.env,
        cwd: spec.cwd,
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    liveChildren.add(child);

    let exitInfo: string | undefined;
    let spawnError: Error | undefined;
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        liveChildren.delete(child);
        resolve();
      });
      child.once('error', (err) => {
        spawnError = err;
        liveChildren.delete(child);
        resolve();
      });
    });

    let cancelled = false;
    const isCancelled = (): boolean => cancelled;
    let timer: NodeJS.Timeout | undefined;
    const describeLogs = async (): Promise<string> => {
      const parts: string[] = [];
      for (const f of [...spec.extraLogs, spec.stdioLog]) {
        const tail = await readLogTail(f, logOffsets.get(f) ?? 0);
        if (tail) parts.push(`--- ${f} (tail) ---\n${tail}`);
      }
      return parts.join('\n');
    };

    type Outcome = { kind: 'ready' } | { kind: 'exited' } | { kind: 'timeout' } | { kind: 'failed'; err: unknown };
    const outcome: Outcome = await Promise.race<Outcome>([
      spec.waitReady(isCancelled).then(
        () => ({ kind: 'ready' }),
        (err: unknown) => ({ kind: 'failed', err }),
      ),
      this.exitPromise.then(() => ({ kind: 'exited' })),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), spec.startTimeoutMs);
      }),
    ]);
    cancelled = true;
    if (timer) clearTimeout(timer);

    if (outcome.kind === 'ready' && isAlive(child)) return;

    // Failure: make sure the child is gone, then report with log tails.
    if (isAlive(child)) {
      child.kill('SIGKILL');
    }
    await this.exitPromise;
    const logs = await describeLogs();
    let reason: string;
    if (spawnError) reason = `failed to spawn ${spec.command}: ${spawnError.message}`;
    else if (outcome.kind === 'exited' || outcome.kind === 'ready') reason = `exited during startup (${exitInfo ?? 'unknown'})`;
    else if (outcome.kind === 'timeout') reason = `did not become ready within ${spec.startTimeoutMs} ms`;
    else reason = `readiness check failed: ${outcome.err instanceof Error ? outcome.err.message : String(outcome.err)}`;
    throw new StartupError(`${spec.label} ${reason}${logs ? `\n${logs}` : ''}`, logs);
  }

  private async doStop(): Promise<void> {
    const child = this.child;
    if (!isAlive(child)) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exitPromise.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut && isAlive(child)) {
      child.kill('SIGKILL');
    }
    await this.exitPromise;
  }

  private async doKill(): Promise<void> {
    const child = this.child;
    if (!isAlive(child)) return;
    child.kill('SIGKILL');
    await this.exitPromise;
  }
}

/** Runs `start` with auto-chosen ports, retrying with fresh ports if another process grabbed one. */
async function startWithPortRetry(autoPorts: boolean, start: (attempt: number) => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await start(attempt);
      return;
    } catch (err) {
      if (autoPorts && err instanceof StartupError && err.addressInUse && attempt + 1 < AUTO_PORT_ATTEMPTS) continue;
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// MariaDB
// ---------------------------------------------------------------------------------------------

let mariadbVersion: Promise<string> | undefined;
function getMariaDbVersion(mariadbd: string): Promise<string> {
  mariadbVersion ??= execFileAsync(mariadbd, ['--version']).then(({ stdout }) => {
    const m = /Ver\s+(\S+)/.exec(stdout);
    return (m?.[1] ?? 'unknown').replace(/[^A-Za-z0-9._-]/g, '_');
  });
  return mariadbVersion;
}

/** Options baked into the template; mariadbd is started with the same ones so nothing gets resized. */
const TEMPLATE_INNODB_OPTS = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=64M'];
const TEMPLATE_FORMAT = 'v1'; // bump when the template recipe changes

const templatePromises = new Map<string, Promise<string>>();

async function ensureMariaDbTemplate(): Promise<string> {
  const mariadbd = requireBinary('mariadbd');
  const installDb = requireBinary('mariadb-install-db');
  const version = await getMariaDbVersion(mariadbd);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const templateDir =
    process.env.MIZUFLOW_MARIADB_TEMPLATE_DIR ??
    path.join(os.tmpdir(), `mizuflow-mariadb-template-${version}-${TEMPLATE_FORMAT}-u${uid}`);

  let p = templatePromises.get(templateDir);
  if (!p) {
    p = createTemplate(templateDir, installDb).catch((err: unknown) => {
      templatePromises.delete(templateDir);
      throw err;
    });
    templatePromises.set(templateDir, p);
  }
  return p;
}

async function createTemplate(templateDir: string, installDb: string): Promise<string> {
  const isComplete = (): boolean => existsSync(path.join(templateDir, 'mysql')) && existsSync(path.join(templateDir, 'ibdata1'));
  if (isComplete()) return templateDir;

  // Build in a private staging dir, then atomically rename into place. Concurrent creators (other test
  // workers) do redundant work at most once; the loser of the rename race discards its copy.
  await fs.mkdir(path.dirname(templateDir), { recursive: true });
  const staging = `${templateDir}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  const stagingData = path.join(staging, 'data');
  await fs.mkdir(staging, { recursive: true });
  try {
    const args = [
      '--no-defaults',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--datadir=${stagingData}`,
      ...(isRoot() ? ['--user=root'] : []),
      ...TEMPLATE_INNODB_OPTS,
    ];
    try {
      await execFileAsync(installDb, args, { cwd: staging, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message?: string };
      throw new Error(
        `mariadb-install-db failed: ${e.message ?? String(err)}\n${(e.stdout ?? '').slice(-3000)}\n${(e.stderr ?? '').slice(-3000)}`,
      );
    }
    // Remove files that must not be shared between instances.
    await fs.rm(path.join(stagingData, 'ib_buffer_pool'), { force: true });
    try {
      await fs.rename(stagingData, templateDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && isComplete()) return templateDir;
      throw err;
    }
    return templateDir;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

function socketPathFor(instanceDir: string): string {
  const preferred = path.join(instanceDir, 'mysqld.sock');
  // sun_path is 108 bytes on Linux (104 on macOS); mariadbd also appends ".lock" for its lock file.
  if (Buffer.byteLength(preferred) <= 90) return preferred;
  const hash = createHash('sha1').update(path.resolve(instanceDir)).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `mizuflow-mysqld-${hash}.sock`);
}

function assertIdentifier(kind: string, value: string): void {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(value)) {
    throw new Error(`${kind} must match /^[A-Za-z0-9_]{1,64}$/, got ${JSON.stringify(value)}`);
  }
}

async function waitForMariaDb(port: number, database: string, isCancelled: () => boolean): Promise<void> {
  let lastErr: unknown;
  while (!isCancelled()) {
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 2_000 });
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await conn.end();
      return;
    } catch (err) {
      lastErr = err;
      if (conn) conn.destroy();
      const code = (err as { code?: string }).code;
      // Auth/permission problems will not fix themselves.
      if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') throw err;
    }
    await sleep(20);
  }
  throw lastErr instanceof Error ? lastErr : new Error('cancelled');
}

/**
 * Starts a private MariaDB on 127.0.0.1. Data lives in `<baseDir>/mariadb/data`; an existing datadir
 * there is reused (so a stack restart keeps its data), otherwise it is copied from the template.
 */
export async function startMariaDb(opts: {
  baseDir: string;
  port?: number;
  database?: string;
  durable?: boolean;
}): Promise<MariaDbHandle> {
  await ensureBinaries({ mariadb: true });
  const database = opts.database ?? 'mizuflow';
  assertIdentifier('database', database);
  const mariadbd = requireBinary('mariadbd');
  const instanceDir = path.resolve(opts.baseDir, 'mariadb');
  const dataDir = path.join(instanceDir, 'data');
  await fs.mkdir(instanceDir, { recursive: true });

  const hasData = existsSync(path.join(dataDir, 'mysql')) && existsSync(path.join(dataDir, 'ibdata1'));
  if (!hasData) {
    const template = await ensureMariaDbTemplate();
    await fs.rm(dataDir, { recursive: true, force: true });
    // COPYFILE_FICLONE: reflink on CoW filesystems, plain copy elsewhere.
    await fs.cp(template, dataDir, { recursive: true, mode: fsConstants.COPYFILE_FICLONE });
  }

  const socket = socketPathFor(instanceDir);
  const flush = opts.durable ? 1 : 2;
  let port = opts.port ?? (await freePort());

  const makeSpec = (): ProcessSpec => ({
    label: `mariadbd (port ${port}, datadir ${dataDir})`,
    command: mariadbd,
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${path.join(instanceDir, 'mysqld.pid')}`,
      ...(isRoot() ? ['--user=root'] : []),
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      ...TEMPLATE_INNODB_OPTS,
      `--innodb-flush-log-at-trx-commit=${flush}`,
      '--innodb-temp-data-file-path=ibtmp1:1M:autoextend',
      '--innodb-buffer-pool-load-at-startup=0',
      '--innodb-buffer-pool-dump-at-shutdown=0',
      '--skip-log-bin',
      '--max-connections=500',
      '--skip-name-resolve',
      `--log-error=${path.join(instanceDir, 'error.log')}`,
      `--tmpdir=${os.tmpdir()}`,
    ],
    cwd: instanceDir,
    stdioLog: path.join(instanceDir, 'mariadbd.out.log'),
    extraLogs: [path.join(instanceDir, 'error.log')],
    startTimeoutMs: MARIADB_START_TIMEOUT_MS,
    waitReady: (isCancelled) => waitForMariaDb(port, database, isCancelled),
  });

  const proc = new ManagedProcess(makeSpec());
  await startWithPortRetry(opts.port === undefined, async (attempt) => {
    if (attempt > 0) {
      port = await freePort();
      proc.setSpec(makeSpec());
    }
    await proc.start();
  });

  const finalPort = port;
  return {
    dataDir,
    port: finalPort,
    database,
    url: `mysql://root@127.0.0.1:${finalPort}/${database}`,
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: () => proc.restart(),
  };
}

// ---------------------------------------------------------------------------------------------
// etcd
// ---------------------------------------------------------------------------------------------

function etcdHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { health?: unknown };
          resolve(parsed.health === 'true' || parsed.health === true);
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** True once the member answers HTTP on its peer URL (GET /members), i.e. it is past bootstrap. */
function etcdPeerServing(peerPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: peerPort, path: '/members', agent: false, timeout: 200 }, (res) => {
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(true));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

async function waitForEtcd(port: number, isCancelled: () => boolean): Promise<void> {
  while (!isCancelled()) {
    if (await etcdHealthy(port)) return;
    await sleep(10);
  }
  throw new Error('cancelled');
}

function etcdEnv(): NodeJS.ProcessEnv {
  // etcd reads ETCD_* variables as flags; keep the child hermetic.
  const env = {} as NodeJS.ProcessEnv; // Next's types make NODE_ENV required; it is copied below
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  }
  return env;
}

interface EtcdMemberPlan {
  name: string;
  port: number;
  peerPort: number;
}

function assertEtcdName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`etcd member name must match /^[A-Za-z0-9_-]{1,64}$/, got ${JSON.stringify(name)}`);
}

function createEtcdMember(
  baseDir: string,
  getPlan: () => EtcdMemberPlan,
  getCluster: () => { initialCluster: string; token: string },
): { proc: ManagedProcess; dataDir: string; instanceDir: string; refreshSpec: () => void } {
  const etcd = requireBinary('etcd');
  const name = getPlan().name;
  const instanceDir = path.resolve(baseDir, `etcd-${name}`);
  const dataDir = path.join(instanceDir, 'data');
  const makeSpec = (): ProcessSpec => {
    const { port, peerPort } = getPlan();
    const { initialCluster, token } = getCluster();
    const client = `http://127.0.0.1:${port}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    return {
      label: `etcd ${name} (client ${port}, peer ${peerPort}, data ${dataDir})`,
      command: etcd,
      args: [
        '--name', name,
        '--data-dir', dataDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', token,
        '--heartbeat-interval', '10',
        '--election-timeout', '100',
        '--logger', 'zap',
        '--log-level', 'error',
      ],
      env: etcdEnv(),
      cwd: instanceDir,
      stdioLog: path.join(instanceDir, 'etcd.log'),
      extraLogs: [],
      startTimeoutMs: ETCD_START_TIMEOUT_MS,
      waitReady: (isCancelled) => waitForEtcd(port, isCancelled),
    };
  };
  const proc = new ManagedProcess(makeSpec());
  return { proc, dataDir, instanceDir, refreshSpec: () => proc.setSpec(makeSpec()) };
}

function makeEtcdHandle(proc: ManagedProcess, dataDir: string, port: number): EtcdHandle {
  return {
    dataDir,
    port,
    endpoints: [`http://127.0.0.1:${port}`],
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: () => proc.restart(),
  };
}

/**
 * Starts a single-member etcd on 127.0.0.1. Data lives in `<baseDir>/etcd-<name>/data` (name defaults
 * to "default"); an existing data dir is reused.
 */
export async function startEtcd(opts: { baseDir: string; port?: number; peerPort?: number; name?: string }): Promise<EtcdHandle> {
  await ensureBinaries({ etcd: true });
  const name = opts.name ?? 'default';
  assertEtcdName(name);
  const plan: EtcdMemberPlan = {
    name,
    port: opts.port ?? (await freePort()),
    peerPort: opts.peerPort ?? (await freePort()),
  };
  const token = `mizuflow-${randomBytes(6).toString('hex')}`;
  const member = createEtcdMember(
    opts.baseDir,
    () => plan,
    () => ({ initialCluster: `${name}=http://127.0.0.1:${plan.peerPort}`, token }),
  );
  await fs.mkdir(member.instanceDir, { recursive: true });
  const auto = opts.port === undefined || opts.peerPort === undefined;
  await startWithPortRetry(auto, async (attempt) => {
    if (attempt > 0) {
      if (opts.port === undefined) plan.port = await freePort();
      if (opts.peerPort === undefined) plan.peerPort = await freePort();
      member.refreshSpec();
    }
    await member.proc.start();
  });
  return makeEtcdHandle(member.proc, member.dataDir, plan.port);
}

/**
 * Starts an N-member loopback etcd cluster (members m0..m{N-1} under `<baseDir>/etcd-mK`), all members
 * launched concurrently (each needs quorum to report healthy).
 */
export async function startEtcdCluster(opts: {
  baseDir: string;
  size: number;
}): Promise<{ members: EtcdHandle[]; endpoints: string[]; stopAll(): Promise<void> }> {
  if (!Number.isInteger(opts.size) || opts.size < 1) throw new Error(`cluster size must be a positive integer, got ${opts.size}`);
  await ensureBinaries({ etcd: true });
  const token = `mizuflow-cluster-${randomBytes(6).toString('hex')}`;

  for (let attempt = 0; ; attempt++) {
    const plans: EtcdMemberPlan[] = [];
    for (let i = 0; i < opts.size; i++) plans.push({ name: `m${i}`, port: await freePort(), peerPort: await freePort() });
    const initialCluster = plans.map((p) => `${p.name}=http://127.0.0.1:${p.peerPort}`).join(',');
    const members = plans.map((plan) => createEtcdMember(opts.baseDir, () => plan, () => ({ initialCluster, token })));
    // A retry must start from scratch (a half-bootstrapped member would remember the old peers).
    for (const m of members) {
      await fs.rm(m.dataDir, { recursive: true, force: true });
      await fs.mkdir(m.instanceDir, { recursive: true });
    }
    // As soon as one member fails, kill the others so they don't wait for quorum until the timeout.
    let firstFailure: unknown;
    let failed = false;
    const starts: Promise<void>[] = [];
    for (let i = 0; i < members.length && !failed; i++) {
      const m = members[i]!;
      let settled = false;
      const started = m.proc.start().then(
        () => {
          settled = true;
        },
        async (err: unknown) => {
          settled = true;
          if (!failed) {
            failed = true;
            firstFailure = err;
            await Promise.all(members.map((other) => other.proc.kill()));
          }
        },
      );
      starts.push(started);
      // Stagger: a new member asks every peer for the cluster state during bootstrap, and a peer whose
      // port is bound but not yet serving makes it wait a full second (etcd's bootstrap timeout).
      // Waiting until this member serves peer traffic before spawning the next keeps startup ~0.1 s.
      if (i + 1 < members.length) {
        const deadline = Date.now() + 5_000;
        while (!settled && Date.now() < deadline && !(await etcdPeerServing(plans[i]!.peerPort))) await sleep(5);
      }
    }
    await Promise.all(starts);
    if (!failed) {
      const handles = members.map((m, i) => makeEtcdHandle(m.proc, m.dataDir, plans[i]!.port));
      const endpoints = handles.flatMap((h) => h.endpoints);
      return {
        members: handles,
        endpoints,
        // Sequential with a pause on purpose: an etcd leader that receives SIGTERM first tries to hand
        // leadership to its "longest connected" peer and waits up to ~5 s if that peer is itself gone
        // (e.g. stopping concurrently, or stopped a moment ago and not yet seen as inactive). After a
        // pause longer than the election timeout, dead peers are marked inactive and a leader without
        // quorum has stepped down, so every stop takes a few ms.
        stopAll: async () => {
          let stoppedOne = false;
          for (const h of handles) {
            if (h.pid === undefined) continue;
            if (stoppedOne) await sleep(ETCD_STOP_PAUSE_MS);
            await h.stop();
            stoppedOne = true;
          }
        },
      };
    }
    await Promise.all(members.map((m) => m.proc.kill()));
    const retryable = firstFailure instanceof StartupError && firstFailure.addressInUse;
    if (!retryable || attempt + 1 >= AUTO_PORT_ATTEMPTS) throw firstFailure;
  }
}
