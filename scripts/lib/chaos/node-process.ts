import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pdeathsigPrefix } from "../local-services/orphan-protection";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const live = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Children must never outlive the run (pdeathsig covers a SIGKILLed parent on Linux).
  process.on("exit", () => {
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
}

export interface NodeProcessSpec {
  name: string;
  /** Arguments after `node` (e.g. ["--import", "tsx", "workers/main.ts"]). */
  args: string[];
  env: Record<string, string>;
  logFile: string;
  ipc?: boolean;
}

/**
 * A Node child of the chaos run that can be SIGKILLed and started again with the same spec. Output
 * goes to a log file; JSON lines on stdout are handed to `onLine` listeners (worker logs).
 */
export class NodeProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  private exited: Promise<void> = Promise.resolve();
  private lineListeners = new Set<(line: Record<string, unknown>) => void>();
  private messageListeners = new Set<(msg: unknown) => void>();
  private exitListeners = new Set<() => void>();
  startedAt = 0;
  starts = 0;

  constructor(readonly spec: NodeProcessSpec) {
    this.log = createWriteStream(spec.logFile, { flags: "a" });
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  get pid(): number | undefined {
    return this.alive ? this.child!.pid : undefined;
  }

  onLine(fn: (line: Record<string, unknown>) => void): () => void {
    this.lineListeners.add(fn);
    return () => this.lineListeners.delete(fn);
  }
  /** Called whenever a child of this process exits (any incarnation). */
  onExit(fn: () => void): () => void {
    this.exitListeners.add(fn);
    return () => this.exitListeners.delete(fn);
  }
  onMessage(fn: (msg: unknown) => void): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  async start(): Promise<void> {
    if (this.alive) throw new Error(`${this.spec.name} is already running`);
    hookExit();
    const prefix = await pdeathsigPrefix();
    const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
    const args = prefix.length ? [...pre, process.execPath, ...this.spec.args] : this.spec.args;
    const child = spawn(cmd!, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe", ...(this.spec.ipc ? (["ipc"] as const) : [])],
    });
    this.child = child;
    this.startedAt = Date.now();
    this.starts++;
    live.add(child);
    this.log.write(`--- ${new Date().toISOString()} start #${this.starts} pid ${child.pid}\n`);
    let buf = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      this.log.write(chunk);
      buf += chunk.toString("utf8");
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith("{") || !this.lineListeners.size) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          for (const l of this.lineListeners) l(parsed);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => this.log.write(chunk));
    child.on("message", (m) => {
      for (const l of this.messageListeners) l(m);
    });
    child.on("error", (err) => this.log.write(`spawn error: ${String(err)}\n`));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        live.delete(child);
        this.log.write(`--- ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
        resolve();
        for (const l of this.exitListeners) l();
      }),
    );
  }

  send(msg: unknown): void {
    if (this.alive) this.child!.send(msg as object);
  }

  /** SIGKILL (a crash) and wait for the exit. */
  async kill(): Promise<void> {
    if (this.alive) this.child!.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return this.exited;
    this.child!.kill("SIGTERM");
    const t = setTimeout(() => this.child?.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Resolves once the child has exited (now, if not running). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  async close(): Promise<void> {
    await this.kill();
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}

/** Resolves with the first message for which `pick` returns a value; rejects on timeout or exit. */
export function waitMessage<T>(p: NodeProcess, pick: (m: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let offMessage = () => {};
    let offExit = () => {};
    const done = () => {
      clearTimeout(timer);
      offMessage();
      offExit();
    };
    const timer = setTimeout(() => (done(), reject(new Error(`${p.spec.name}: no ${what} within ${timeoutMs} ms (log: ${p.spec.logFile})`))), timeoutMs);
    offMessage = p.onMessage((m) => {
      const v = pick(m);
      if (v === undefined) return;
      done();
      resolve(v);
    });
    offExit = p.onExit(() => (done(), reject(new Error(`${p.spec.name} exited while waiting for ${what} (log: ${p.spec.logFile})`))));
  });
}

/** Resolves with the first stdout JSON line for which `pick` is true. */
export function waitLine(p: NodeProcess, pick: (l: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let offLine = () => {};
    let offExit = () => {};
    const done = () => {
      clearTimeout(timer);
      offLine();
      offExit();
    };
    const timer = setTimeout(() => (done(), reject(new Error(`${p.spec.name}: no ${what} within ${timeoutMs} ms (log: ${p.spec.logFile})`))), timeoutMs);
    offLine = p.onLine((l) => {
      if (!pick(l)) return;
      done();
      resolve(l);
    });
    offExit = p.onExit(() => (done(), reject(new Error(`${p.spec.name} exited while waiting for ${what} (log: ${p.spec.logFile})`))));
  });
}
