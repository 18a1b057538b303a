import http from "node:http";
import { Readable } from "node:stream";
import type { FetchFn } from "../../../sdk/src/sse-fetch";

/**
 * A `fetch` for plain-HTTP loopback URLs that connects from a chosen source address (any of
 * 127.0.0.0/8 works on Linux). Many SDK clients on one machine then look like many hosts to the
 * server's per-address rate limit, as they would in production.
 */
export function loopbackFetch(localAddress: string): FetchFn {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init?.method ?? "GET",
        headers,
        localAddress,
        agent: false,
      });
      const signal = init?.signal;
      const abort = () => req.destroy(Object.assign(new Error("aborted"), { name: "AbortError" }));
      if (signal?.aborted) return reject(new Error("aborted"));
      signal?.addEventListener("abort", abort, { once: true });
      req.on("response", (res) => {
        const h = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304;
        if (noBody) res.resume();
        resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: h }));
      });
      req.on("error", (err) => {
        signal?.removeEventListener("abort", abort);
        reject(err);
      });
      req.end(typeof init?.body === "string" ? init.body : undefined);
    });
}
