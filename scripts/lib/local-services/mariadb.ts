/**
 * Private MariaDB instances: a per-machine template datadir (built once with mariadb-install-db and
 * copied per instance) and startMariaDb.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { ensureBinaries, isRoot, requireBinary } from './binaries';
import { ManagedProcess, type ProcessSpec } from './managed-process';
import { freePort, startWithPortRetry } from './ports';
import { sleep } from './sleep';
import type { MariaDbHandle } from './types';

const execFileAsync = promisify(execFile);

const MARIADB_START_TIMEOUT_MS = 60_000; // crash recovery after kill() can take a moment

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
