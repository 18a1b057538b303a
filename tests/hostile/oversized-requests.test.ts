import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "../support/api-test-harness";
import { MAX_BODY_BYTES } from "../../lib/http/read-json-body";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { newSdkKey, putFlag, seedScopes } from "../support/stream-server/fixtures";
import { openSse } from "../support/stream-server/sse-client";
import { STREAM_PATH, rawExchange } from "../support/hostile/raw-streams";

/**
 * Guarantee: oversized or malformed requests are refused with a 4xx and cost the server nothing
 * lasting. On the stream server: huge headers and query strings get 431 from the HTTP parser,
 * absurd Last-Event-ID values are ignored (a fresh snapshot, never a crash or a hang), garbage
 * request lines get 400, and the server keeps serving. On the admin API: bodies over the limit get
 * 413 without the body being buffered (declared too large: nothing read; chunked: reading stops
 * at the limit).
 */
let api: ApiHarness;
let server: StreamServer;
let key: string;
let adminToken: string;

beforeAll(async () => {
  api = await startApiHarness();
  await seedScopes(api.env.db, { environments: ["prod"], namespaces: ["app"] });
  await putFlag(api.env.etcd.root, { environment: "prod", namespace: "app", key: "f" }, 1, true);
  key = (await newSdkKey(api.env.db, "prod", null)).key;
  adminToken = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  server = await startStreamServer({ db: api.env.db, root: api.env.etcd.root, rateLimit: false });
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

const statusOf = (text: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);

async function stillServing(): Promise<void> {
  const sse = await openSse(`http://127.0.0.1:${server.port}${STREAM_PATH}`, { authorization: `Bearer ${key}` });
  expect(sse.status).toBe(200);
  await sse.waitFor((c) => c.events().find((e) => e.event === "snapshot"), "snapshot");
  sse.close();
}

describe("stream server: oversized and malformed requests", () => {
  it("answers 431 to a huge header, a huge query string and thousands of headers, and keeps serving", async () => {
    const huge = "a".repeat(64 * 1024);
    const header = await rawExchange(server.port, `GET ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${huge}\r\n\r\n`);
    expect(statusOf(header.text)).toBe(431);
    const query = await rawExchange(server.port, `GET ${STREAM_PATH}?sdk_key=${huge} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(statusOf(query.text)).toBe(431);
    const many = Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v`).join("\r\n");
    const manyHeaders = await rawExchange(server.port, `GET ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`);
    expect(statusOf(manyHeaders.text)).toBe(431);
    expect(server.core.openStreams).toBe(0);
    await stillServing();
  });

  it("answers a long but admissible query string or key with a plain 401", async () => {
    const long = "b".repeat(12 * 1024);
    const res = await fetch(`http://127.0.0.1:${server.port}${STREAM_PATH}?sdk_key=${long}&x=${long.slice(0, 2000)}`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthenticated");
    const viaHeader = await fetch(`http://127.0.0.1:${server.port}${STREAM_PATH}`, { headers: { authorization: `Bearer ${long}` } });
    expect(viaHeader.status).toBe(401);
  });

  it("treats absurd Last-Event-ID values as no resume point: a fresh snapshot, not an error or a silent wait", async () => {
    const values = ["9".repeat(10_000), "99999999999999", "-5", "1e9", "0x10", "12abc", " ", "NaN", "١٢٣"];
    for (const value of values) {
      // (A header can only carry Latin-1; the query string takes anything.)
      for (const how of /^[\x20-\x7e]*$/.test(value) ? (["header", "query"] as const) : (["query"] as const)) {
        const url = `http://127.0.0.1:${server.port}${STREAM_PATH}` + (how === "query" ? `?last_event_id=${encodeURIComponent(value)}` : "");
        const sse = await openSse(url, { authorization: `Bearer ${key}`, ...(how === "header" ? { "last-event-id": value } : {}) });
        expect(sse.status, `${how} ${value.slice(0, 20)}`).toBe(200);
        const first = await sse.waitFor((c) => c.events()[0], `first event for ${how} ${value.slice(0, 20)}`);
        expect(first.event).toBe("snapshot");
        sse.close();
      }
    }
  });

  it("answers garbage request lines and bad methods with 4xx, never 5xx, and keeps serving", async () => {
    const cases = [
      "GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n",
      `GET http://[::1/${STREAM_PATH}?sdk_key=x HTTP/1.1\r\nHost: x\r\n\r\n`,
      "GARBAGE\r\n\r\n",
      `GET ${STREAM_PATH}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `GET ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`,
    ];
    for (const raw of cases) {
      const { text } = await rawExchange(server.port, raw, 500);
      const status = statusOf(text);
      expect(status, JSON.stringify(raw.slice(0, 40))).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(raw.slice(0, 40))).toBeLessThan(500);
    }
    const post = await rawExchange(server.port, `POST ${STREAM_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n${"z".repeat(100_000)}`, 500);
    expect(statusOf(post.text)).toBe(400);
    await stillServing();
  });
});

describe("admin API: oversized bodies", () => {
  const createFlag = (body: BodyInit, headers: Record<string, string> = {}) =>
    api.call("POST", "/api/v1/flags", { token: adminToken, body, headers: { "content-type": "application/json", ...headers } });

  it("refuses a declared Content-Length over the limit with 413 before reading a byte", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await createFlag(body, { "content-length": String(50 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
    // A ReadableStream pulls once up front to fill its queue; nothing beyond that was read.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("stops reading an endless chunked body at the limit and answers 413", async () => {
    let bytes = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode(`{"pad":"${"p".repeat(16 * 1024)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        bytes += chunk.byteLength;
        c.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await createFlag(body);
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * chunk.byteLength);
    expect(await api.counts().then((c) => c.flags)).toBe(0);
  });
});
