/**
 * Registry of live service child processes and orphan protection: children are SIGKILLed when this
 * Node process exits, and on Linux are spawned via `setpriv --pdeathsig KILL` (when available) so they
 * die even if Node itself is SIGKILLed.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { findBinary } from './binaries';

const execFileAsync = promisify(execFile);

export const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

export function isAlive(child: ChildProcess | undefined): child is ChildProcess {
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

export function installExitHooks(): void {
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
export async function pdeathsigPrefix(): Promise<string[]> {
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
