import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, waitFor, type TestEnv, useAsProcessServices } from "@/tests/support/test-env";
import { newSdkKey, putFlag, seedScopes } from "@/tests/support/stream-server/fixtures";
import { SseParser, type SseMessage } from "@/tests/support/stream-server/sse-parser";

/**
 * The Next.js route handlers, called the way Next.js calls them (a web Request in, a Response with
 * a ReadableStream body out), on the per-process hub that getDb()/getEtcd() feed.
 */
let env: TestEnv;
let routes: { stream: typeof import("./route"); flags: typeof import("../flags/route") };
let delivery: typeof import("@/lib/delivery/process-delivery");

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web", "api"] });
  useAsProcessServices(env);
  routes = { stream: await import("./route"), flags: await import("../flags/route") };
  delivery = await import("@/lib/delivery/process-delivery");
});

afterAll(async () => {
  const { core, hub } = delivery.getProcessDelivery();
  core.close();
  await hub.stop();
  await env.cleanup();
});

/** Reads SSE messages off a Response body until `enough` says so. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, got: SseMessage[], enough: () => boolean) {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  while (!enough()) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended");
    got.push(...parser.feed(decoder.decode(value, { stream: true })));
  }
}

describe("Next.js SDK route handlers", () => {
  it("streams retry + snapshot first, then live puts, limited to the key's scope; cancelling closes the stream", async () => {
    await putFlag(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" }, 1, true);
    await putFlag(env.etcd.root, { environment: "prod", namespace: "api", key: "secret" }, 1, true);
    const { key } = await newSdkKey(env.db, "prod", ["web"]);
    const res = await routes.stream.GET(new Request(`http://localhost/api/sdk/v1/stream?sdk_key=${key}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    const reader = res.body!.getReader();
    const got: SseMessage[] = [];
    await readUntil(reader, got, () => got.some((m) => m.event === "snapshot"));
    expect(got[0]!.retry).toBe(1000);
    const snapshot = JSON.parse(got.find((m) => m.event === "snapshot")!.data);
    expect(snapshot.flags).toEqual([{ namespace: "web", key: "banner", type: "boolean", value: true, version: 1 }]);

    await putFlag(env.etcd.root, { environment: "prod", namespace: "api", key: "secret" }, 2);
    await putFlag(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" }, 2, false);
    await readUntil(reader, got, () => got.some((m) => m.event === "put"));
    const puts = got.filter((m) => m.event === "put").map((m) => JSON.parse(m.data));
    expect(puts).toEqual([expect.objectContaining({ namespace: "web", key: "banner", value: false, version: 2 })]);

    const { core } = delivery.getProcessDelivery();
    expect(core.openStreams).toBe(1);
    await reader.cancel();
    await waitFor(() => core.openStreams === 0, "stream closed after cancel");
  });

  it("refuses unknown keys with a JSON 401 (no stream), and resumes with Last-Event-ID", async () => {
    const denied = await routes.stream.GET(new Request("http://localhost/api/sdk/v1/stream", { headers: { authorization: "Bearer nope" } }));
    expect(denied.status).toBe(401);
    expect((await denied.json()).error.code).toBe("unauthenticated");

    const { key } = await newSdkKey(env.db, "prod", null);
    const { hub } = delivery.getProcessDelivery();
    const from = hub.currentRevision;
    await putFlag(env.etcd.root, { environment: "prod", namespace: "api", key: "resume" }, 1);
    await waitFor(() => hub.currentRevision > from, "hub saw the put");
    const res = await routes.stream.GET(
      new Request("http://localhost/api/sdk/v1/stream", { headers: { authorization: `Bearer ${key}`, "last-event-id": String(from) } }),
    );
    const reader = res.body!.getReader();
    const got: SseMessage[] = [];
    await readUntil(reader, got, () => got.some((m) => m.event === "put"));
    expect(got.some((m) => m.event === "snapshot")).toBe(false);
    expect(JSON.parse(got.find((m) => m.event === "put")!.data)).toMatchObject({ key: "resume", version: 1 });
    await reader.cancel();
  });

  it("serves /flags with an ETag, 304 on If-None-Match, and CORS preflight", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["web"]);
    const first = await routes.flags.GET(new Request("http://localhost/api/sdk/v1/flags", { headers: { authorization: `Bearer ${key}` } }));
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body.environment).toBe("prod");
    expect(body.flags.every((f: { namespace: string }) => f.namespace === "web")).toBe(true);
    const etag = first.headers.get("etag")!;
    const again = await routes.flags.GET(
      new Request("http://localhost/api/sdk/v1/flags", { headers: { authorization: `Bearer ${key}`, "if-none-match": etag } }),
    );
    expect(again.status).toBe(304);
    const pre = routes.flags.OPTIONS();
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
  });
});
