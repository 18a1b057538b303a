import net from "node:net";

/**
 * Raw-TCP SSE clients for the hostile-client suite and benchmark: no HTTP parser and no SSE parser,
 * so a thousand of them cost little in the process that measures. A healthy client only looks for
 * a marker string in what it receives (a unique flag value per round) and notes when it arrived.
 */
export const STREAM_PATH = "/api/sdk/v1/stream";

function request(path: string, key: string, extra = ""): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${key}\r\n${extra}\r\n`;
}

export interface HealthyStream {
  socket: net.Socket;
  /** True once the status line (200) and the first snapshot arrived. */
  ready: boolean;
  status: number | null;
  closed: boolean;
}

interface Watch {
  marker: string;
  startedAt: number;
  latencies: number[];
  pending: number;
  done: () => void;
}

/** N streams that read everything promptly. */
export class HealthyFleet {
  readonly streams: HealthyStream[] = [];
  private watch: Watch | null = null;

  private constructor(private readonly port: number) {}

  static async open(port: number, key: string, n: number, concurrency = 200): Promise<HealthyFleet> {
    const fleet = new HealthyFleet(port);
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        fleet.streams.push(await fleet.openOne(key));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    const bad = fleet.streams.filter((s) => !s.ready);
    if (bad.length) throw new Error(`${bad.length} of ${n} streams did not open (statuses ${[...new Set(bad.map((s) => s.status))].join(",")})`);
    return fleet;
  }

  private openOne(key: string): Promise<HealthyStream> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, "127.0.0.1");
      const s: HealthyStream = { socket, ready: false, status: null, closed: false };
      let tail = "";
      let seenMarker: string | null = null;
      socket.setEncoding("latin1");
      socket.on("error", () => {});
      socket.on("close", () => {
        s.closed = true;
        resolve(s);
      });
      socket.on("data", (chunk: string) => {
        const at = performance.now();
        const text = tail + chunk;
        if (!s.ready) {
          if (s.status === null && text.startsWith("HTTP/1.")) s.status = Number(text.slice(9, 12));
          if (s.status !== 200) return void socket.destroy();
          if (text.includes("event: snapshot")) {
            s.ready = true;
            resolve(s);
          }
        }
        const w = this.watch;
        if (w && seenMarker !== w.marker && text.includes(w.marker)) {
          seenMarker = w.marker;
          w.latencies.push(at - w.startedAt);
          if (--w.pending === 0) w.done();
        }
        tail = text.slice(-256);
      });
      socket.write(request(STREAM_PATH, key));
    });
  }

  /**
   * Arms every open stream to look for `marker`, runs `publish`, and resolves with each stream's
   * latency (ms from just before `publish` to receipt) once all got it or `timeoutMs` passed.
   */
  async round(marker: string, publish: () => Promise<unknown>, timeoutMs = 10_000): Promise<{ latencies: number[]; missing: number }> {
    const open = this.streams.filter((s) => !s.closed).length;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const w: Watch = { marker, startedAt: performance.now(), latencies: [], pending: open, done };
    this.watch = w;
    await publish();
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([all, timer]);
    this.watch = null;
    return { latencies: w.latencies, missing: w.pending };
  }

  get openCount(): number {
    return this.streams.filter((s) => !s.closed).length;
  }

  close(): void {
    for (const s of this.streams) s.socket.destroy();
  }
}

/**
 * A consumer that sends a valid stream request and then never reads a byte: whatever the server
 * sends piles up in the kernel buffers and then in the server's own send buffer.
 */
export function openStalled(port: number, key: string): Promise<{ socket: net.Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let closed = false;
    socket.on("error", () => {});
    socket.on("close", () => (closed = true));
    socket.once("connect", () => {
      socket.write(request(STREAM_PATH, key));
      socket.pause();
      resolve({ socket, closed: () => closed });
    });
    socket.once("error", reject);
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
}

/** Open file descriptors of this process (Linux). */
export async function openFds(): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir("/proc/self/fd")).length;
}

/** Sends raw bytes, collects the whole reply until the server closes or `idleMs` of silence. */
export function rawExchange(port: number, bytes: string | Buffer, idleMs = 1_000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    let closedByServer = false;
    let timer = setTimeout(() => finish(), idleMs);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => {
      text += c;
      clearTimeout(timer);
      timer = setTimeout(() => finish(), idleMs);
    });
    socket.on("end", () => (closedByServer = true));
    socket.on("close", () => finish());
    socket.on("error", () => {});
    socket.write(bytes);
  });
}
