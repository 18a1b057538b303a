import { describe, expect, it } from "vitest";
import { fullJitterDelay, refusalDelay, unreachableDelay } from "../src/backoff";
import { createSseFetch, parseRetryAfter } from "../src/sse-fetch";

describe("full-jitter backoff (pure)", () => {
  it("draws uniformly below min(cap, base * 2^attempt)", () => {
    expect(fullJitterDelay(0, 1000, 30_000, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, 1000, 30_000, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(10, 1000, 30_000, () => 0.999)).toBe(29_970);
    expect(fullJitterDelay(500, 1000, 30_000, () => 0)).toBe(0);
    expect(refusalDelay(30_000, () => 0)).toBe(15_000);
  });

  it("while the server does not answer at all (restart), stops growing at 2 x base so a fleet is back soon after it listens", () => {
    expect(unreachableDelay(0, 1000, 30_000, () => 0.999)).toBe(999);
    expect(unreachableDelay(1, 1000, 30_000, () => 0.999)).toBe(1998);
    expect(unreachableDelay(2, 1000, 30_000, () => 0.999)).toBe(1998);
    expect(unreachableDelay(9, 1000, 30_000, () => 0.999)).toBe(1998);
    expect(unreachableDelay(9, 1000, 30_000, () => 0)).toBe(0);
    expect(unreachableDelay(9, 1000, 1_500, () => 0.5)).toBe(750);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("the eventsource fetch hook (in-memory stream, no network)", () => {
  it("adds headers, reports status and activity, reads `retry:` across chunk boundaries, and passes the body through", async () => {
    const chunks = ["re", "try: 250\n\nevent: snapshot\nid: 3\ndata: {\"retry: 9\"}\n\n", ": heartbeat\n\n"];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const s of chunks) c.enqueue(new TextEncoder().encode(s));
        c.close();
      },
    });
    let seenHeaders: HeadersInit | undefined;
    const seen = { status: 0, retry: [] as number[], activity: 0 };
    const fetch = createSseFetch(
      async (_url, init) => {
        seenHeaders = init?.headers;
        return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
      },
      {
        headers: () => ({ Authorization: "Bearer k" }),
        onResponse: (s) => (seen.status = s),
        onRetry: (ms) => seen.retry.push(ms),
        onActivity: () => seen.activity++,
      },
    );
    const res = await fetch("http://x/stream", { headers: { Accept: "text/event-stream" } });
    expect(seenHeaders).toEqual({ Accept: "text/event-stream", Authorization: "Bearer k" });
    const text = await new Response(res.body).text();
    expect(text).toBe(chunks.join(""));
    expect(seen.status).toBe(200);
    expect(seen.retry).toEqual([250]);
    expect(seen.activity).toBeGreaterThanOrEqual(3);
  });
});
