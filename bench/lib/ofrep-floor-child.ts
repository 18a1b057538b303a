import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The floor: a bare node:http server that reads and parses the same JSON request body and answers
 * a fixed OFREP-shaped response. Whatever the worker costs above this is MizuFlow's own.
 */
const FIXED = JSON.stringify({ key: "bench/propagation", value: true, reason: "STATIC", metadata: { namespace: "bench", version: 1 } });
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" });
    res.end(FIXED);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => process.send!({ type: "ready", port: (server.address() as AddressInfo).port }));
process.on("SIGTERM", () => process.exit(0));
