import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny host for the browser test: the HTML page and the SDK bundle. The page talks to the real
 * stream server directly, on another origin (another port), as a browser app would; that also
 * covers the stream's CORS headers.
 */
export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(opts: { bundle: string; config: unknown }): Promise<PageServer> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>MizuFlow SDK test</title></head><body>
<p>checkout/new-flow = <span id="value">?</span></p>
<script id="config" type="application/json">${JSON.stringify(opts.config).replace(/</g, "\\u003c")}</script>
<script type="module" src="/app.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    if (req.url === "/app.js") return void res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(opts.bundle);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
