import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createEtcd } from "../../lib/etcd/client";
import { parseDocument } from "../../lib/flags/document";

/**
 * Benchmark baseline: the least an SSE server can do. One etcd watch on flags/, each put encoded
 * once into the same bytes the real stream sends, written to every open response. No auth, scope,
 * hub state, ring, resume, slow-consumer or revocation logic.
 */
const { root } = createEtcd(process.env.ETCD_ENDPOINTS!.split(","), process.env.ETCD_PREFIX!);
const clients = new Set<ServerResponse>();
const fanOutMs: number[] = [];
const pushedAfterCommitMs: number[] = [];
const HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform" };

const server = createServer((req, res) => {
  if (req.url === "/healthz") return void res.end("ok");
  res.writeHead(200, HEADERS);
  res.write('retry: 1000\n\nevent: snapshot\nid: 0\ndata: {"flags":[]}\n\n');
  clients.add(res);
  res.on("close", () => clients.delete(res));
});
server.requestTimeout = 0;

const watcher = await root.watch().prefix("flags/").create();
watcher.on("put", (kv) => {
  const doc = parseDocument(kv.value.toString("utf8"));
  if (!doc) return;
  const payload = JSON.stringify({ revision: Number(kv.mod_revision), namespace: doc.namespace, key: doc.key, type: doc.type, value: doc.value, version: doc.version, updatedAt: doc.updatedAt });
  const frame = Buffer.from(`event: put\nid: ${kv.mod_revision}\ndata: ${payload}\n\n`);
  const t0 = performance.now();
  for (const res of clients) res.write(frame);
  setImmediate(() => {
    fanOutMs.push(performance.now() - t0);
    pushedAfterCommitMs.push(Date.now() - Date.parse(doc.updatedAt));
  });
});

await new Promise<void>((r) => server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => r()));
process.on("message", (m: { type?: string }) => {
  if (m?.type === "server-stats") process.send!({ type: "server-stats", fanOutMs, pushedAfterCommitMs });
  if (m?.type === "rss") {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    process.send!({ type: "rss", rss: process.memoryUsage().rss, streams: clients.size });
  }
});
process.on("SIGTERM", () => process.exit(0));
process.send!({ type: "ready", port: (server.address() as AddressInfo).port });
