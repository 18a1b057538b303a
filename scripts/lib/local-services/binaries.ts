/** Locating the MariaDB/etcd/Chromium binaries and installing missing ones with apt-get (as root). */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const EXTRA_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findBinary(name: string): string | undefined {
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
// Debian's own build (/usr/bin/chromium), driven by playwright-core: a browser is never downloaded.
const CHROMIUM_BINARIES: BinarySpec = { names: ['chromium'], pkg: 'chromium' };

export function requireBinary(name: string): string {
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

export type InstallDecision = { action: 'install'; aptGet: string } | { action: 'stop'; message: string };

/**
 * What to do about missing packages: install them with apt-get when we run as root and apt-get
 * exists, otherwise stop with the exact command to run. Pure, so the "not root" and "no apt-get"
 * paths are tested without uninstalling anything.
 */
export function decideInstall(missing: string[], host: { root: boolean; aptGet: string | undefined }): InstallDecision {
  if (host.root && host.aptGet) return { action: 'install', aptGet: host.aptGet };
  const prefix = host.root ? '' : 'sudo ';
  const installCmd = `DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
  return {
    action: 'stop',
    message:
      `Missing binaries (packages: ${missing.join(', ')}). Install them with:\n` +
      `  ${prefix}apt-get update && ${prefix}env ${installCmd}` +
      (host.aptGet
        ? ''
        : '\n(apt-get not found: install MariaDB >= 10.6 (mariadbd, mariadb-install-db), etcd >= 3.4 and Chromium (as `chromium` on the PATH) with your package manager)'),
  };
}

/**
 * Checks that mariadbd/mariadb-install-db, etcd and/or chromium are installed. When something is missing and we
 * run as root with apt-get available, runs `apt-get update` (once per process) and installs only the
 * missing packages; otherwise throws an Error with the exact command to run.
 */
export async function ensureBinaries(
  which: { mariadb?: boolean; etcd?: boolean; chromium?: boolean } = { mariadb: true, etcd: true },
): Promise<void> {
  const wanted: BinarySpec[] = [];
  if (which.mariadb) wanted.push(MARIADB_BINARIES);
  if (which.etcd) wanted.push(ETCD_BINARIES);
  if (which.chromium) wanted.push(CHROMIUM_BINARIES);
  const missingPkgs = (): string[] =>
    wanted.filter((spec) => spec.names.some((n) => findBinary(n) === undefined)).map((spec) => spec.pkg);

  if (missingPkgs().length === 0) return;

  // Serialize installs within this process (and re-check after waiting for a concurrent one).
  const run = installChain.then(async () => {
    const missing = missingPkgs();
    if (missing.length === 0) return;
    const decision = decideInstall(missing, { root: isRoot(), aptGet: findBinary('apt-get') });
    if (decision.action === 'stop') throw new Error(decision.message);
    const aptGet = decision.aptGet;
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
