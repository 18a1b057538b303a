/** One supervised, re-spawnable service child process: start with readiness wait, stop, kill, log tails. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { installExitHooks, isAlive, liveChildren, pdeathsigPrefix } from './orphan-protection';

const STOP_GRACE_MS = 5_000;

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

export class StartupError extends Error {
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

export interface ProcessSpec {
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
export class ManagedProcess {
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
