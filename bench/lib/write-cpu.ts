import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time per component (user + system, from /proc, Linux only), so a run can say where the time
 * goes: milliseconds of CPU per write for the app, MariaDB, etcd, the worker and the load client.
 * On a shared or small machine this is steadier than throughput, and 2 cores' worth of CPU-ms per
 * second divided by the per-write total is the ceiling this machine could reach.
 */
const TICK_MS = 10; // USER_HZ is 100 on every Linux we run on

function procStat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** The pid and all its living descendants. */
function withDescendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (st) children.set(st.ppid, [...(children.get(st.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export type CpuSnapshot = Record<string, number>;

/** CPU ms used so far by each named component (a pid plus its descendants). */
export function cpuSnapshot(components: Record<string, number | undefined>): CpuSnapshot {
  const snap: CpuSnapshot = {};
  if (process.platform !== "linux") return snap;
  for (const [name, pid] of Object.entries(components)) {
    if (!pid) continue;
    snap[name] = withDescendants(pid).reduce((sum, p) => sum + (procStat(p)?.cpuMs ?? 0), 0);
  }
  return snap;
}

export function cpuDiff(after: CpuSnapshot, before: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

/** Machine-wide busy CPU ms so far (all processes, from /proc/stat), to show what else ran. */
export function machineBusyMs(): number {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + (cpu[7] ?? 0);
    return busy * TICK_MS;
  } catch {
    return NaN;
  }
}
