import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishFenced, publishMany } from "../../lib/etcd/fence";
import type { FlagDocument } from "../../lib/flags/document";
import { waitFor } from "../../tests/support/test-env";
import type { MizuFlowClient } from "../src/client";
import { createClient } from "../src/node";
import type { FlagChange, WireTargeting } from "../src/types";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

/**
 * Targeting over the REAL delivery path: documents in the delivery contract's shape
 * (docs/PROTOCOL.md) are published straight into etcd (fenced, as the relay does), the real
 * stream server (watch hub + SSE) serves them, and a Node client evaluates locally.
 *
 * These tests need the server side of targeting (the hub keeping `targeting` on flag documents,
 * and publishing/serving segments). Each checks the server's snapshot first and skips, saying
 * why, when the server does not carry the field yet, so it starts proving as soon as it does.
 */
const silent = { warn: () => {}, error: () => {} };
const NS = "checkout";
let fx: StreamFixture;
let sdkKey: string;
const clients: MizuFlowClient[] = [];

async function publishFlag(key: string, version: number, value: boolean, targeting?: WireTargeting): Promise<void> {
  const document = { namespace: NS, key, type: "boolean", value, version, updatedAt: new Date().toISOString(), ...(targeting ? { targeting } : {}) } as FlagDocument;
  expect(await publishFenced(fx.env.etcd.root, { op: "put", address: { environment: "production", namespace: NS, key }, version, document })).toBe("applied");
}

/** A segment at `segments/{environment}/{namespace}/{key}` (doc segment.v1), as the contract lays it out. */
async function publishSegment(key: string, version: number, values: string[]): Promise<void> {
  const doc = { namespace: NS, key, constraints: [{ contextName: "userId", operator: "IN", values }], version, updatedAt: new Date().toISOString() };
  await fx.env.etcd.root.put(`segments/production/${NS}/${key}`).value(JSON.stringify(doc));
}

/** What the server's snapshot (GET /api/sdk/v1/flags) carries today. */
async function serverSnapshot(): Promise<{ flags: { key: string; targeting?: unknown }[]; segments?: unknown[] }> {
  const res = await fetch(`${fx.url}/api/sdk/v1/flags`, { headers: { authorization: `Bearer ${sdkKey}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { flags: { key: string; targeting?: unknown }[]; segments?: unknown[] };
}

async function liveClient(): Promise<MizuFlowClient> {
  const c = createClient({ url: fx.url, sdkKey, logger: silent, reportRevision: false, initialBackoffMs: 50 });
  clients.push(c);
  await c.ready({ live: true, timeoutMs: 10_000 });
  return c;
}

beforeAll(async () => {
  fx = await startStreamFixture({ namespaces: [NS] });
  sdkKey = await fx.sdkKey([NS]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fx?.cleanup();
});

const onlyAlpha: WireTargeting = { rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: ["u-alpha"] }], serve: { value: true } }] };
const onlyBeta: WireTargeting = { rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: ["u-beta"] }], serve: { value: true } }] };

describe("targeting through the real stream server", () => {
  it("a published flag with a rule serves two contexts differently, and a rule change reaches the SDK", async (ctx) => {
    await publishFlag("rollout", 1, false, onlyAlpha);
    await waitFor(async () => (await serverSnapshot()).flags.some((f) => f.key === "rollout") || undefined, "flag in the hub");
    if ((await serverSnapshot()).flags.find((f) => f.key === "rollout")?.targeting === undefined) {
      const why = "skipped: the stream server drops `targeting` from flag documents (server side of issue 14 not merged yet)";
      console.warn(`[targeting-stream] ${why}`);
      return ctx.skip(why);
    }
    const c = await liveClient();
    const alpha = { userId: "u-alpha" };
    const beta = { userId: "u-beta" };
    expect(c.getDetails(NS, "rollout", "boolean", false, alpha)).toMatchObject({ value: true, reason: "TARGETING_MATCH", ruleIndex: 0, version: 1 });
    expect(c.getDetails(NS, "rollout", "boolean", true, beta)).toMatchObject({ value: false, reason: "DEFAULT", version: 1 });
    expect(c.getBoolean(NS, "rollout", true)).toBe(false);

    const changes: FlagChange[] = [];
    c.on("change", (e) => changes.push(e));
    await publishFlag("rollout", 2, false, onlyBeta);
    await waitFor(() => changes.find((e) => e.key === "rollout" && e.newVersion === 2), "the rule change");
    expect([c.getBoolean(NS, "rollout", true, alpha), c.getBoolean(NS, "rollout", false, beta)]).toEqual([false, true]);
  });

  it("the events of one etcd transaction (one id) reach the client as one applied update, never one at a time", async () => {
    const doc = (key: string, version: number, value: boolean) => ({
      op: "put" as const,
      address: { environment: "production", namespace: NS, key },
      version,
      document: { namespace: NS, key, type: "boolean" as const, value, version, updatedAt: new Date().toISOString() },
    });
    expect(await publishMany(fx.env.etcd.root, [doc("pair-a", 1, false), doc("pair-b", 1, false)])).toEqual(["applied", "applied"]);
    const c = await liveClient();
    await waitFor(() => c.getAll().filter((f) => f.key.startsWith("pair-")).length === 2 || undefined, "both flags");
    const updates: { revision: number; keys: string[]; seen: boolean[] }[] = [];
    c.on("update", (u) => updates.push({ revision: u.revision, keys: u.changes.map((ch) => ch.key).sort(), seen: [c.getBoolean(NS, "pair-a", false), c.getBoolean(NS, "pair-b", false)] }));
    expect(await publishMany(fx.env.etcd.root, [doc("pair-a", 2, true), doc("pair-b", 2, true)])).toEqual(["applied", "applied"]);
    await waitFor(() => updates.find((u) => u.keys.includes("pair-b")), "the transaction");
    // One update for the id, emitted after both were applied.
    expect(updates).toEqual([{ revision: expect.any(Number), keys: ["pair-a", "pair-b"], seen: [true, true] }]);
  });

  it("a segment change reaches the SDK as one event and flips every flag that uses it", async (ctx) => {
    await publishSegment("testers", 1, ["u-alpha"]);
    const usesTesters: WireTargeting = { rules: [{ segments: ["testers"], serve: { value: true } }] };
    await publishFlag("seg-a", 1, false, usesTesters);
    await publishFlag("seg-b", 1, false, usesTesters);
    await waitFor(async () => (await serverSnapshot()).flags.some((f) => f.key === "seg-b") || undefined, "flags in the hub");
    const snap = await serverSnapshot();
    if (snap.segments === undefined || snap.flags.find((f) => f.key === "seg-a")?.targeting === undefined) {
      const why = "skipped: the stream server serves no `segments` (or drops `targeting`): server side of issue 14 not merged yet";
      console.warn(`[targeting-stream] ${why}`);
      return ctx.skip(why);
    }
    const c = await liveClient();
    const beta = { userId: "u-beta" };
    expect([c.getBoolean(NS, "seg-a", true, beta), c.getBoolean(NS, "seg-b", true, beta)]).toEqual([false, false]);
    const updates: { revision: number; keys: string[] }[] = [];
    c.on("update", (u) => updates.push({ revision: u.revision, keys: u.changes.map((ch) => ch.key).sort() }));
    await publishSegment("testers", 2, ["u-alpha", "u-beta"]);
    await waitFor(() => updates.find((u) => u.keys.includes("seg-a")), "the segment change");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.keys).toEqual(["seg-a", "seg-b"]);
    expect([c.getBoolean(NS, "seg-a", false, beta), c.getBoolean(NS, "seg-b", false, beta)]).toEqual([true, true]);
  });
});
