import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Soft and hard open-file limits of a shell started from here (Node has no getrlimit). */
export function openFileLimits(): { soft: number; hard: number } {
  const out = execFileSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).trim().split("\n");
  const n = (s: string | undefined) => (s === "unlimited" ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: n(out[0]), hard: n(out[1]) };
}

/**
 * Starts `node [nodeArgs] script args` with an IPC channel. Each stream is a file descriptor on
 * both ends, so when the soft open-files limit is too low for `fds` the child is started through
 * `sh -c 'ulimit -n <hard>; exec ...'` (the IPC descriptor survives the exec).
 */
export function spawnNode(script: string, opts: { args?: string[]; nodeArgs?: string[]; env?: Record<string, string>; fds: number; tsx?: boolean }): ChildProcess {
  const argv = [...(opts.nodeArgs ?? []), ...(opts.tsx === false ? [] : ["--import", "tsx"]), script, ...(opts.args ?? [])];
  const limits = openFileLimits();
  const stdio: ("inherit" | "ignore" | "ipc")[] = ["ignore", "inherit", "inherit", "ipc"];
  const env = { ...process.env, ...opts.env };
  if (limits.soft >= opts.fds) return spawn(process.execPath, argv, { cwd: ROOT, env, stdio });
  const quoted = [process.execPath, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return spawn("sh", ["-c", `ulimit -n ${limits.hard} && exec ${quoted}`], { cwd: ROOT, env, stdio });
}

/** Sends a request over IPC and resolves with the first reply of type `reply`. */
export function ask<T>(child: ChildProcess, msg: object, reply: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error(`no ${reply} from child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== reply) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) while waiting for ${reply}`));
    });
    if (Object.keys(msg).length) child.send(msg);
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(t);
}

/** Resident set size of a process and all its descendants, in bytes (Linux /proc). */
export function treeRss(pid: number): number {
  const parent = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      return;
    }
    for (const [child, pp] of parent) if (pp === p) visit(child);
  };
  visit(pid);
  return total;
}
