import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../auth/actor";
import { createImmediatePublisher } from "../outbox/immediate-publisher";
import { setTargeting } from "../rules/targeting-verbs";
import type { ServiceContext } from "../core/context";
import { createFlag } from "../flags/create-flag";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { newSdkKey, seedScopes } from "../../tests/support/stream-server/fixtures";
import { createSegment, deleteSegment, updateSegment } from "./segment-verbs";

/**
 * Issue 14 delivery, end to end through the real write path (MariaDB -> outbox -> fenced etcd
 * publish -> watch hub -> stream) to a third-party EventSource client (npm `eventsource`): a rule
 * change arrives as a `put` carrying `targeting`, a segment change as ONE `segment` event per
 * environment stream, a segment delete as `segment-delete`, the snapshot lists `segments`, and a
 * client that reconnects with Last-Event-ID gets exactly what it missed (no snapshot, no gap).
 */
const STREAM = "/api/sdk/v1/stream";
let env: TestEnv;
let server: StreamServer;
let base: string;
let ctx: ServiceContext;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod", "staging"], namespaces: ["checkout", "search"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root, heartbeatMs: 1000, revocationCheckMs: 200, rateLimit: false });
  base = `http://127.0.0.1:${server.port}`;
  ctx = env.ctx(SYSTEM_ACTOR, { onCommitted: createImmediatePublisher(env.db, env.etcd.root) });
  await createFlag({ ctx, input: { namespace: "checkout", key: "new-flow", type: "boolean" } });
  await createSegment({ ctx, input: { namespace: "checkout", key: "beta", name: "Beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] } });
});
afterAll(async () => {
  await server.close();
  await env.cleanup();
});

type Got = { event: string; id: number; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function connect(key: string) {
  const es = new EventSource(`${base}${STREAM}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${key}` } }),
  });
  const got: Got[] = [];
  for (const event of ["snapshot", "put", "delete", "segment", "segment-delete"]) {
    es.addEventListener(event, (e) => got.push({ event, id: Number(e.lastEventId), data: JSON.parse(e.data) }));
  }
  return { es, got };
}

describe("targeting and segments on the SDK stream", () => {
  it("delivers rules, segment changes (one event per environment stream) and deletes, and resumes with Last-Event-ID without a gap", async () => {
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const { es, got } = connect(key);
    try {
      await waitFor(() => got.find((g) => g.event === "snapshot"), "snapshot");
      const snap = got[0]!;
      expect(snap.data.flags).toEqual([{ namespace: "checkout", key: "new-flow", type: "boolean", value: false, version: 1 }]);
      expect(snap.data.segments).toEqual([{ namespace: "checkout", key: "beta", name: "Beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }], version: 1 }]);

      // A rule change: a `put` whose payload carries `targeting`.
      await setTargeting({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "prod", rules: [{ segments: ["beta"], serve: { value: true } }], expectedVersion: 1 } });
      const put = await waitFor(() => got.find((g) => g.event === "put"), "rule change");
      expect(put.data).toEqual({
        revision: put.id,
        namespace: "checkout",
        key: "new-flow",
        type: "boolean",
        value: false,
        version: 2,
        updatedAt: expect.any(String),
        targeting: { rules: [{ constraints: [], segments: ["beta"], serve: { value: true } }] },
      });

      // A segment change: one `segment` event on this (prod) stream, though staging changed too.
      await updateSegment({ ctx, input: { namespace: "checkout", segmentKey: "beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta", "pro"] }], expectedVersion: 1 } });
      const seg = await waitFor(() => got.find((g) => g.event === "segment"), "segment change");
      expect(seg.data).toEqual({
        revision: seg.id,
        namespace: "checkout",
        key: "beta",
        name: "Beta",
        constraints: [{ contextName: "plan", operator: "IN", values: ["beta", "pro"] }],
        version: 2,
        updatedAt: expect.any(String),
      });
      expect((await env.etcd.root.get("segments/staging/checkout/beta").json()) as { version: number }).toMatchObject({ version: 2 });

      // Drop the stream; change a segment and a rule while the client is away.
      const seen = got.length;
      server.core.disconnectAll();
      await updateSegment({ ctx, input: { namespace: "checkout", segmentKey: "beta", constraints: [], expectedVersion: 2 } });
      await setTargeting({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "prod", rules: [], expectedVersion: 2 } });
      await deleteSegment({ ctx, input: { namespace: "checkout", segmentKey: "beta", expectedVersion: 3 } });
      await waitFor(() => got.find((g) => g.event === "segment-delete"), "the missed changes after reconnecting", 10_000);
      const missed = got.slice(seen);
      expect(missed.map((g) => `${g.event} ${g.data.key} v${g.data.version}`)).toEqual(["segment beta v3", "put new-flow v3", "segment-delete beta v4"]);
      expect(missed.at(-1)!.data).toEqual({ revision: missed.at(-1)!.id, namespace: "checkout", key: "beta", version: 4 });
      expect(missed[1]!.data.targeting).toBeUndefined();
      // Ids only grow, one snapshot in all: the resume replayed exactly what was missed.
      const ids = got.map((g) => g.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(got.filter((g) => g.event === "snapshot")).toHaveLength(1);
      expect(got.filter((g) => g.event === "segment")).toHaveLength(2);
    } finally {
      es.close();
    }
  });

  it("a scope without the namespace never sees its segments; /flags lists targeting and segments", async () => {
    await createSegment({ ctx, input: { namespace: "checkout", key: "staff", constraints: [{ contextName: "email", operator: "STR_ENDS_WITH", values: ["@corp.example"] }] } });
    await setTargeting({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "prod", rules: [{ segments: ["staff"], serve: { value: true } }] } });
    const staff = await waitFor(() => server.hub.segment("prod", "checkout", "staff"), "staff segment in the hub");
    await waitFor(() => (server.hub.document("prod", "checkout", "new-flow")?.version ?? 0) >= 4, "rule in the hub");
    const { key } = await newSdkKey(env.db, "prod", ["checkout"]);
    const res = await fetch(`${base}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.json();
    expect(body.flags[0]).toMatchObject({ key: "new-flow", version: 4, targeting: { rules: [{ segments: ["staff"] }] } });
    expect(body.segments).toEqual([{ namespace: "checkout", key: "staff", constraints: staff.constraints, version: 1 }]);
    const other = await newSdkKey(env.db, "prod", ["search"]);
    const otherBody = await (await fetch(`${base}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${other.key}` } })).json();
    expect(otherBody.segments).toBeUndefined();
    expect(otherBody.flags).toEqual([]);
  });
});
