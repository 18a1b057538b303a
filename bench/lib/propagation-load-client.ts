import net from "node:net";

/**
 * Benchmark load client (its own process): opens N SSE streams with raw sockets and, for every
 * `put` it receives, records receipt time minus the event's `updatedAt` (the MySQL commit time;
 * same machine, same clock). Raw parsing on purpose: this measures the server, not an SDK, and
 * must stay cheap per event so that 10,000 streams do not measure the client instead.
 *
 * IPC: {type:"open", ...} -> {type:"opened"}; {type:"complete", version} whenever every stream has
 * a version; {type:"collect"} -> {type:"samples"}.
 */
interface OpenRequest {
  port: number;
  path: string;
  keys: string[];
  streams: number;
  concurrency: number;
  /** Index of this client's first stream among all clients' (spreads the keys). */
  offset: number;
}

const PUT = /"version":(\d+),"updatedAt":"([^"]+)"/g;
const latencies: number[] = [];
/** (version, receipt time) of every put, so the parent can also measure from etcd's publish time. */
const receiptVersions: number[] = [];
const receiptTimes: number[] = [];
const perVersion = new Map<number, number>();
const commitTimes = new Map<string, number>();
let streams = 0;
let live = 0;

function openOne(req: OpenRequest, i: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(req.port, "127.0.0.1");
    sock.setNoDelay(true);
    sock.setEncoding("latin1");
    let tail = "";
    let started = false;
    let settled = false;
    const settle = (ok: boolean) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    sock.write(
      `GET ${req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
        `Authorization: Bearer ${req.keys[i % req.keys.length]}\r\n\r\n`,
    );
    sock.on("data", (chunk: string) => {
      const now = Date.now();
      let text = tail + chunk;
      if (!started) {
        if (!text.startsWith("HTTP/1.1 200")) {
          if (text.includes("\r\n")) {
            process.stderr.write(`[load] stream ${i}: ${text.split("\r\n")[0]}\n`);
            sock.destroy();
            settle(false);
          }
          tail = text;
          return;
        }
        if (!text.includes("event: snapshot")) {
          tail = text;
          return;
        }
        started = true;
        live++;
        settle(true);
        text = text.slice(text.indexOf("event: snapshot"));
      }
      const end = text.lastIndexOf("\n\n");
      if (end < 0) {
        tail = text;
        return;
      }
      tail = text.slice(end + 2);
      const complete = text.slice(0, end);
      if (!complete.includes('"updatedAt"')) return;
      PUT.lastIndex = 0;
      for (let m = PUT.exec(complete); m; m = PUT.exec(complete)) {
        let committed = commitTimes.get(m[2]!);
        if (committed === undefined) commitTimes.set(m[2]!, (committed = Date.parse(m[2]!)));
        latencies.push(now - committed);
        const v = Number(m[1]);
        receiptVersions.push(v);
        receiptTimes.push(now);
        const n = (perVersion.get(v) ?? 0) + 1;
        perVersion.set(v, n);
        if (n === streams) process.send!({ type: "complete", version: v });
      }
    });
    sock.on("error", () => settle(false));
    sock.on("close", () => {
      if (started) live--;
      settle(false);
    });
  });
}

async function openAll(req: OpenRequest): Promise<void> {
  streams = req.streams;
  const t0 = Date.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(req.concurrency, req.streams) }, async () => {
      while (next < req.streams) {
        if (await openOne(req, req.offset + next++)) ok++;
        else failed++;
      }
    }),
  );
  process.send!({ type: "opened", connected: ok, failed, ms: Date.now() - t0 });
}

process.on("message", (m: { type?: string } & Partial<OpenRequest>) => {
  if (m.type === "open") void openAll(m as OpenRequest);
  else if (m.type === "collect") process.send!({ type: "samples", latencies, receiptVersions, receiptTimes, live });
});
process.on("SIGTERM", () => process.exit(0));
process.send!({ type: "ready" });
