import net from "node:net";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { flagKey } from "../../lib/etcd/keys";
import { metrics } from "../../lib/observability/metrics";
import { createImmediatePublisher } from "../../lib/outbox/immediate-publisher";
import { archiveFlag } from "../../lib/flags/archive-flag";
import { createFlag } from "../../lib/flags/create-flag";
import { deleteFlag as deleteFlagVerb } from "../../lib/flags/delete-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "./server";
import { deleteFlag, flagRevision, newSdkKey, putFlag, seedScopes, type FlagRef } from "../../tests/support/stream-server/fixtures";
import { openSse } from "../../tests/support/stream-server/sse-client";

const STREAM = "/api/sdk/v1/stream";
const FLAGS = "/api/sdk/v1/flags";
const ref = (environment: string, namespace: string, key: string): FlagRef => ({ environment, namespace, key });

let env: TestEnv;
let server: StreamServer;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod", "staging"], namespaces: ["checkout", "search"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root, heartbeatMs: 150, revocationCheckMs: 200, rateLimit: false });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  await env.cleanup();
});

describe("SDK stream over the node:http stream server", () => {
  it("rejects a missing or unknown key with 401 and a revoked key with 403, before any stream opens", async () => {
    const missing = await openSse(base + STREAM);
    expect(missing.status).toBe(401);
    expect(missing.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(missing.body()).error.code).toBe("unauthenticated");
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);

    const unknown = await openSse(`${base}${STREAM}?sdk_key=mf_sdk_${"A".repeat(43)}`);
    expect(unknown.status).toBe(401);

    const { key, id } = await newSdkKey(env.db, "prod", ["checkout"]);
    await revokeSdkKey({ ctx: env.ctx(), input: { id } });
    const revoked = await openSse(base + STREAM, { authorization: `Bearer ${key}` });
    expect(revoked.status).toBe(403);
    expect(JSON.parse(revoked.body()).error.code).toBe("forbidden");
    expect(server.core.openStreams).toBe(0);
  });

  it("sends SSE headers, then `retry` and the snapshot at once, then puts, deletes and heartbeats", async () => {
    await putFlag(env.etcd.root, ref("prod", "checkout", "first"), 1, true);
    // A snapshot is the hub's state at some revision, possibly a few ms behind etcd (the put then
    // follows as an event). This test checks the snapshot's contents, so it waits for the hub.
    const written = Number((await env.etcd.root.get(flagKey(ref("prod", "checkout", "first"))).exec()).kvs[0]!.mod_revision);
    await waitFor(() => server.hub.currentRevision >= written, "the hub to apply the first put");
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const sse = await openSse(base + STREAM, { authorization: `Bearer ${key}` });
    expect(sse.status).toBe(200);
    expect(sse.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(sse.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(sse.headers["x-accel-buffering"]).toBe("no");
    expect(sse.headers["access-control-allow-origin"]).toBe("*");
    await sse.waitFor((c) => c.events().length >= 1, "snapshot");
    expect(sse.messages[0]!.retry).toBe(1000);
    const [snap] = sse.events();
    expect(snap!.event).toBe("snapshot");
    expect(snap!.id).toBe(snap!.data.revision);
    expect(snap!.data).toEqual({
      revision: snap!.id,
      environment: "prod",
      flags: [{ namespace: "checkout", key: "first", type: "boolean", value: true, version: 1 }],
    });

    const doc = await putFlag(env.etcd.root, ref("prod", "checkout", "first"), 2, { nested: [1, "two"] }, "json");
    await deleteFlag(env.etcd.root, ref("prod", "checkout", "first"), 3);
    await sse.waitFor((c) => c.events().length >= 3, "put and delete");
    const [, put, del] = sse.events();
    expect(put).toMatchObject({ event: "put" });
    expect(put!.data).toEqual({
      revision: put!.id,
      namespace: "checkout",
      key: "first",
      type: "json",
      value: { nested: [1, "two"] },
      version: 2,
      updatedAt: doc.updatedAt,
    });
    expect(del!.data).toEqual({ revision: del!.id, namespace: "checkout", key: "first", version: 3 });
    expect(snap!.id < put!.id && put!.id < del!.id).toBe(true);
    await sse.waitFor((c) => c.messages.some((m) => m.comment === "heartbeat"), "a heartbeat");
    sse.close();
  });

  it("delivers commits made through the service verbs (immediate publish): create, set, archive, unarchive, delete", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const sse = await openSse(`${base}${STREAM}?sdk_key=${key}`);
    const ctx = env.ctx(SYSTEM_ACTOR, { onCommitted: createImmediatePublisher(env.db, env.etcd.root) });
    const flag = { namespace: "checkout", key: "via-verbs" };
    const seen = (n: number) => () => sse.events().filter((e) => e.data.key === "via-verbs").length >= n;
    await createFlag({ ctx, input: { ...flag, type: "string", values: { prod: "a", staging: "s" } } });
    await sse.waitFor(seen(1), "create");
    const view = await setFlagValue({ ctx, input: { ...flag, environment: "prod", value: "b" } });
    await sse.waitFor(seen(2), "set");
    await archiveFlag({ ctx, input: { ...flag, archived: true } });
    await sse.waitFor(seen(3), "archive");
    await archiveFlag({ ctx, input: { ...flag, archived: false } });
    await sse.waitFor(seen(4), "unarchive");
    await deleteFlagVerb({ ctx, input: flag });
    await sse.waitFor(seen(5), "delete");
    const events = sse.events().filter((e) => e.data.key === "via-verbs");
    expect(events.map((e) => [e.event, e.data.version, e.data.value])).toEqual([
      ["put", 1, "a"],
      ["put", 2, "b"],
      ["delete", 3, undefined],
      ["put", 4, "b"],
      ["delete", 5, undefined],
    ]);
    expect(events[1]!.data.updatedAt).toBe(view.values.prod!.updatedAt);
    sse.close();
  });

  it("never sends a key a flag outside its environment and namespaces (invariant 4)", async () => {
    const narrow = await newSdkKey(env.db, "prod", ["search"]);
    const staging = await newSdkKey(env.db, "staging", null);
    const a = await openSse(`${base}${STREAM}?sdk_key=${narrow.key}`);
    const b = await openSse(`${base}${STREAM}?sdk_key=${staging.key}`);
    await putFlag(env.etcd.root, ref("prod", "search", "in-a"), 1);
    await putFlag(env.etcd.root, ref("prod", "checkout", "not-a"), 1);
    await putFlag(env.etcd.root, ref("staging", "search", "in-b"), 1);
    await putFlag(env.etcd.root, ref("staging", "checkout", "in-b2"), 1);
    await putFlag(env.etcd.root, ref("prod", "search", "in-a"), 2);
    await a.waitFor((c) => c.events().some((e) => e.data.version === 2), "a's second put");
    await b.waitFor((c) => c.events().length >= 3, "b's puts");
    const names = (c: typeof a) =>
      c.events().flatMap((e) => (e.event === "snapshot" ? e.data.flags : [e.data])).map((f: { namespace: string; key: string }) => `${f.namespace}/${f.key}`);
    expect(new Set(names(a))).toEqual(new Set(["search/in-a"]));
    expect(new Set(names(b))).toEqual(new Set(["search/in-b", "checkout/in-b2"]));

    // /flags and a fresh snapshot apply the same scope.
    const flagsA = await (await fetch(`${base}${FLAGS}`, { headers: { authorization: `Bearer ${narrow.key}` } })).json();
    expect(flagsA.flags.map((f: { key: string }) => f.key)).toEqual(["in-a"]);
    const late = await openSse(`${base}${STREAM}?sdk_key=${staging.key}`);
    await late.waitFor((c) => c.events().length === 1, "snapshot");
    expect(late.events()[0]!.data.environment).toBe("staging");
    expect(late.events()[0]!.data.flags.map((f: { key: string }) => f.key).sort()).toEqual(["in-b", "in-b2"]);
    for (const c of [a, b, late]) c.close();
  });

  it("resumes from Last-Event-ID (or ?last_event_id=) with exactly the missed in-scope events", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const first = await openSse(`${base}${STREAM}?sdk_key=${key}`);
    await putFlag(env.etcd.root, ref("prod", "checkout", "resume"), 1);
    const seen = await first.waitFor((c) => c.events().find((e) => e.event === "put" && e.data.key === "resume"), "first put");
    first.close();

    await putFlag(env.etcd.root, ref("prod", "checkout", "resume"), 2);
    await putFlag(env.etcd.root, ref("prod", "search", "elsewhere"), 1);
    await deleteFlag(env.etcd.root, ref("prod", "checkout", "resume"), 3);
    await waitFor(() => server.hub.stats().ringSize > 0 && server.hub.currentRevision >= seen.id + 3, "hub caught up");

    for (const resume of [
      openSse(`${base}${STREAM}?sdk_key=${key}`, { "last-event-id": String(seen.id) }),
      openSse(`${base}${STREAM}?sdk_key=${key}&last_event_id=${seen.id}`),
    ]) {
      const sse = await resume;
      await sse.waitFor((c) => c.events().length >= 2, "replay");
      await new Promise((r) => setTimeout(r, 100));
      expect(sse.events().map((e) => [e.event, e.data.key, e.data.version])).toEqual([
        ["put", "resume", 2],
        ["delete", "resume", 3],
      ]);
      expect(sse.messages[0]!.retry).toBe(1000);
      sse.close();
    }

    // An id from the future (not a revision etcd ever had) is ignored: fresh snapshot.
    const bogus = await openSse(`${base}${STREAM}?sdk_key=${key}`, { "last-event-id": "999999999999" });
    await bogus.waitFor((c) => c.events().length >= 1, "snapshot");
    expect(bogus.events()[0]!.event).toBe("snapshot");
    bogus.close();
  });

  it("closes a revoked key's open streams within a second", async () => {
    const { key, id } = await newSdkKey(env.db, "prod", null);
    const other = await newSdkKey(env.db, "prod", null);
    const streams = await Promise.all([openSse(`${base}${STREAM}?sdk_key=${key}`), openSse(`${base}${STREAM}?sdk_key=${key}`)]);
    const bystander = await openSse(`${base}${STREAM}?sdk_key=${other.key}`);
    for (const s of [...streams, bystander]) await s.waitFor((c) => c.events().length >= 1, "snapshot");
    const t0 = Date.now();
    await revokeSdkKey({ ctx: env.ctx(SYSTEM_ACTOR), input: { id, reason: "leaked" } });
    await Promise.all(streams.map((s) => s.ended));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(bystander.isEnded()).toBe(false);
    bystander.close();
  });

  it("cuts a stalled client that stopped reading, without delaying the others", async () => {
    const small = await startStreamServer({ db: env.db, root: env.etcd.root, hub: server.hub, maxBufferedBytes: 256 * 1024, rateLimit: false });
    try {
      const { key } = await newSdkKey(env.db, "prod", ["search"]);
      // A raw client that sends its request and never reads a byte.
      const stalled = net.connect(small.port, "127.0.0.1");
      stalled.write(`GET ${STREAM}?sdk_key=${key} HTTP/1.1\r\nHost: x\r\n\r\n`);
      stalled.pause();
      stalled.on("error", () => {});
      const healthy = await openSse(`http://127.0.0.1:${small.port}${STREAM}?sdk_key=${key}`);
      await waitFor(() => small.core.openStreams === 2, "both streams open");
      const cutBefore = await slowCuts();

      // 400 KB values: the fenced txn carries the old and the new document (etcd's request limit is 1.5 MiB).
      const big = "x".repeat(400 * 1024);
      const lags: number[] = [];
      for (let v = 1; v <= 80 && small.core.openStreams === 2; v++) {
        const t = Date.now();
        await putFlag(env.etcd.root, ref("prod", "search", "big"), v, big, "string");
        await healthy.waitFor((c) => c.events().some((e) => e.data.version === v), `healthy client gets v${v}`);
        lags.push(Date.now() - t);
      }
      await waitFor(() => small.core.openStreams === 1, "stalled stream cut");
      expect(await slowCuts()).toBe(cutBefore + 1);
      expect(healthy.isEnded()).toBe(false);
      expect(Math.max(...lags)).toBeLessThan(1000);
      healthy.close();
      stalled.destroy();
    } finally {
      await small.close();
    }
  });

  it("answers /flags with an ETag and 304 while nothing in the scope changed", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const auth = { authorization: `Bearer ${key}` };
    await putFlag(env.etcd.root, ref("prod", "checkout", "etag"), 1);
    const first = await fetch(base + FLAGS, { headers: auth });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"prod-\d+-[A-Za-z0-9_-]+"$/);
    const body = await first.json();
    expect(body.environment).toBe("prod");
    expect(body.flags.find((f: { key: string }) => f.key === "etag")).toEqual({ namespace: "checkout", key: "etag", type: "boolean", value: false, version: 1 });

    expect((await fetch(base + FLAGS, { headers: { ...auth, "if-none-match": etag } })).status).toBe(304);
    // A change outside the scope keeps the ETag; one inside changes it.
    await putFlag(env.etcd.root, ref("prod", "search", "etag-other"), 1);
    const rev = await flagRevision(env.etcd.root, ref("prod", "search", "etag-other"));
    await waitFor(() => server.hub.currentRevision >= rev, "hub applied the out-of-scope change");
    expect((await fetch(base + FLAGS, { headers: { ...auth, "if-none-match": etag } })).status).toBe(304);
    await putFlag(env.etcd.root, ref("prod", "checkout", "etag"), 2);
    const changed = await waitFor(async () => {
      const r = await fetch(base + FLAGS, { headers: { ...auth, "if-none-match": etag } });
      return r.status === 200 ? r : null;
    }, "a 200 after an in-scope change");
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("frames the body for HTTP/1.0 clients too (no chunked encoding; the body ends with the connection)", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const sock = net.connect(server.port, "127.0.0.1");
    sock.write(`GET ${STREAM}?sdk_key=${key} HTTP/1.0\r\n\r\n`);
    let text = "";
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => (text += d));
    await waitFor(() => text.includes("event: snapshot"), "snapshot over HTTP/1.0");
    sock.destroy();
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head!.toLowerCase()).not.toContain("transfer-encoding");
    expect(body!.startsWith("retry: 1000\n\nevent: snapshot\nid: ")).toBe(true);
  });

  it("answers CORS preflights for browser SDKs", async () => {
    const res = await fetch(base + STREAM, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-headers": "authorization, last-event-id" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Last-Event-ID/);
  });

  it("is consumed by the `eventsource` package, which resumes with Last-Event-ID after the server drops it", async () => {
    const { key } = await newSdkKey(env.db, "staging", ["checkout"]);
    await putFlag(env.etcd.root, ref("staging", "checkout", "es"), 1);
    const es = new EventSource(`${base}${STREAM}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${key}` } }),
    });
    const state = new Map<string, number>();
    const got: string[] = [];
    es.addEventListener("snapshot", (e) => {
      got.push(`snapshot@${e.lastEventId}`);
      state.clear();
      for (const f of JSON.parse(e.data).flags) state.set(f.key, f.version);
    });
    es.addEventListener("put", (e) => {
      const d = JSON.parse(e.data);
      got.push(`put ${d.key} v${d.version}`);
      state.set(d.key, d.version);
    });
    try {
      await waitFor(() => state.get("es") === 1, "snapshot via EventSource");
      await putFlag(env.etcd.root, ref("staging", "checkout", "es"), 2);
      await waitFor(() => state.get("es") === 2, "put via EventSource");

      // Drop every stream server-side, then change the flag while the client is away.
      server.core.disconnectAll();
      await putFlag(env.etcd.root, ref("staging", "checkout", "es"), 3);
      await waitFor(() => state.get("es") === 3, "the missed put after reconnecting", 10_000);
      expect(got.filter((g) => g.startsWith("snapshot"))).toHaveLength(1);
      expect(got.slice(1)).toEqual(["put es v2", "put es v3"]);
    } finally {
      es.close();
    }
  });

  it("serves /healthz", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(body.hub.ready).toBe(true);
  });
});

describe("connection-attempt rate limits", () => {
  it("answers 429 with Retry-After once a key has used its burst, or an address its failed key checks; valid keys never count against the address", async () => {
    const limited = await startStreamServer({
      db: env.db,
      root: env.etcd.root,
      hub: server.hub,
      rateLimit: { perKey: { burst: 2, perSecond: 0.5 }, failedAuthPerAddress: { burst: 3, perSecond: 0.5 } },
    });
    try {
      const url = `http://127.0.0.1:${limited.port}${FLAGS}`;
      const get = (key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` } });
      const k1 = await newSdkKey(env.db, "prod", null);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(k1.key)).status);
      expect(statuses).toEqual([200, 200, 429]);
      // Six fresh valid keys from this one address, more than its failure budget: all admitted (a
      // key being checked holds a token only until it proves valid).
      const fresh = await Promise.all(Array.from({ length: 6 }, () => newSdkKey(env.db, "prod", null)));
      const freshStatuses = [];
      for (const k of fresh) freshStatuses.push((await get(k.key)).status);
      expect(freshStatuses).toEqual([200, 200, 200, 200, 200, 200]);
      // Three failed checks, then the address is refused before the next key is even looked at.
      const bad = [];
      for (let i = 0; i < 4; i++) bad.push((await get(`mf_sdk_${String(i).repeat(43)}`)).status);
      expect(bad).toEqual([401, 401, 401, 429]);
      const res = await get(`mf_sdk_${"9".repeat(43)}`);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).error.code).toBe("rate_limited");
      // A key that verified valid here is still admitted from the refused address.
      expect((await get(fresh[0]!.key)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("stream capacity", () => {
  it("refuses streams past its cap with 503 and Retry-After, still serves /flags, and admits again once one closes", async () => {
    const capped = await startStreamServer({ db: env.db, root: env.etcd.root, hub: server.hub, rateLimit: false, maxStreams: 2 });
    try {
      const url = `http://127.0.0.1:${capped.port}`;
      const k = await newSdkKey(env.db, "prod", null);
      const auth = { authorization: `Bearer ${k.key}` };
      const a = await openSse(url + STREAM, auth);
      const b = await openSse(url + STREAM, auth);
      expect([a.status, b.status]).toEqual([200, 200]);
      const refused = await openSse(url + STREAM, auth);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(refused.body()).error).toMatchObject({ code: "unavailable" });
      expect((await fetch(url + FLAGS, { headers: auth })).status).toBe(200);
      a.close();
      await waitFor(() => capped.core.openStreams < 2, "the closed stream to be released");
      const c = await openSse(url + STREAM, auth);
      expect(c.status).toBe(200);
      b.close();
      c.close();
    } finally {
      await capped.close();
    }
  });
});

async function slowCuts(): Promise<number> {
  const metric = await metrics.slowConsumerDisconnects.get();
  return metric.values.filter((v) => v.labels.transport === "sidecar").reduce((a, v) => a + v.value, 0);
}
