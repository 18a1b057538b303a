import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/node";
import type { MizuFlowClient } from "../src/client";
import type { FlagChange, UpdateEvent } from "../src/types";
import { waitFor } from "../../tests/support/test-env";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";
import { startTcpProxy } from "./support/tcp-proxy";

/**
 * The SDK against the REAL delivery path: service verbs -> MariaDB -> immediate publish -> etcd ->
 * watch hub -> SSE -> eventsource v4 -> client state. No fakes anywhere on this path.
 */
const silent = { warn: () => {}, error: () => {} };
let fx: StreamFixture;
const clients: MizuFlowClient[] = [];

function client(url: string, sdkKey: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  const c = createClient({ url, sdkKey, logger: silent, initialBackoffMs: 50, maxBackoffMs: 300, ...extra });
  clients.push(c);
  return c;
}

/** Asserts the invariant on every change a client reports: per key, versions only go up. */
function trackVersions(c: MizuFlowClient) {
  const seen = new Map<string, number>();
  const violations: string[] = [];
  c.on("change", (e) => {
    const k = `${e.namespace}/${e.key}`;
    const prev = seen.get(k);
    if (e.newVersion !== undefined) {
      if (prev !== undefined && e.newVersion < prev) violations.push(`${k}: ${prev} -> ${e.newVersion}`);
      seen.set(k, e.newVersion);
    }
  });
  return violations;
}

beforeAll(async () => {
  fx = await startStreamFixture({ heartbeatMs: 200 }); // short heartbeats: the idle-detection test
  await fx.flag("checkout", "new-flow", "boolean", { production: true, staging: false });
  await fx.flag("checkout", "max-items", "number", { production: 10, staging: 5 });
  await fx.flag("search", "ranking", "string", { production: "bm25", staging: "bm25" });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await fx?.cleanup();
});

describe("SDK over the real stream server", () => {
  it("gets the snapshot, then sees a committed change within milliseconds", async () => {
    const c = client(fx.url, await fx.sdkKey(null));
    await c.ready({ live: true, timeoutMs: 5000 });
    expect(c.state).toBe("ready");
    expect(c.environment).toBe("production");
    expect(c.revision).toBeGreaterThan(0);
    expect(c.getBoolean("checkout", "new-flow", false)).toBe(true);
    expect(c.getNumber("checkout", "max-items", 0)).toBe(10);
    expect(c.getString("search", "ranking", "")).toBe("bm25");
    expect(c.resolve("checkout", "new-flow", "boolean", false).reason).toBe("STATIC");

    const seen = new Promise<{ e: FlagChange; at: number }>((resolve) =>
      c.on("change", (e) => e.key === "new-flow" && resolve({ e, at: performance.now() })),
    );
    const t0 = performance.now();
    const version = await fx.set("checkout", "new-flow", false);
    const committedAt = performance.now();
    const { e, at } = await seen;
    expect(e).toMatchObject({ namespace: "checkout", oldValue: true, newValue: false, newVersion: version, source: "put" });
    expect(c.revision).toBe(e.revision);
    expect(c.getBoolean("checkout", "new-flow", true)).toBe(false);
    // Measured from before the commit, so it includes the transaction itself.
    expect(at - t0).toBeLessThan(1000);
    console.info(`[sdk] commit -> SDK change: ${(at - committedAt).toFixed(1)} ms after commit returned, ${(at - t0).toFixed(1)} ms from the call`);
  });

  it("resumes a dropped connection with Last-Event-ID: the missed events are replayed in order, no snapshot, no gap", async () => {
    const proxy = await startTcpProxy(fx.port);
    try {
      const c = client(`http://127.0.0.1:${proxy.port}`, await fx.sdkKey(null));
      const violations = trackVersions(c);
      await c.ready({ live: true, timeoutMs: 5000 });
      const before = c.getNumber("checkout", "max-items", 0);
      const updates: UpdateEvent[] = [];
      c.on("update", (u) => updates.push(u));

      proxy.cut();
      await waitFor(() => c.state === "stale", "the client to notice the cut");
      const versions: number[] = [];
      for (let i = 1; i <= 3; i++) versions.push(await fx.set("checkout", "max-items", before + i));
      proxy.resume();

      await waitFor(() => c.getNumber("checkout", "max-items", 0) === before + 3 && c.state === "ready", "the client to catch up");
      expect(updates.map((u) => u.source)).toEqual(["put", "put", "put"]);
      expect(updates.flatMap((u) => u.changes.map((ch) => ch.newVersion))).toEqual(versions);
      const revisions = updates.map((u) => u.revision);
      expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
      expect(violations).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("detects a silent half-open connection by the missing heartbeats and reconnects", async () => {
    const proxy = await startTcpProxy(fx.port);
    try {
      const c = client(`http://127.0.0.1:${proxy.port}`, await fx.sdkKey(null), { idleTimeoutMs: 1000 });
      await c.ready({ live: true, timeoutMs: 5000 });
      const states: string[] = [];
      c.on("state", (s) => states.push(s.state));
      proxy.freeze(); // no FIN, no RST: only the silence tells
      await fx.set("checkout", "max-items", 777);
      await waitFor(() => c.getNumber("checkout", "max-items", 0) === 777, "the change over a new connection", 5000);
      expect(states).toEqual(["stale", "ready"]);
    } finally {
      await proxy.close();
    }
  });

  it("converges after the stream server restarts, and per key the version never goes backwards", async () => {
    const c = client(fx.url, await fx.sdkKey(null));
    const violations = trackVersions(c);
    await c.ready({ live: true, timeoutMs: 5000 });

    await fx.stop();
    await waitFor(() => c.state === "stale", "the client to go stale");
    expect(c.getString("search", "ranking", "")).toBe("bm25"); // still served while the server is down
    expect(c.resolve("search", "ranking", "string", "").reason).toBe("CACHED");
    await fx.set("search", "ranking", "vector");
    await fx.set("checkout", "new-flow", true);
    await fx.start();

    await waitFor(
      () => c.state === "ready" && c.getString("search", "ranking", "") === "vector" && c.getBoolean("checkout", "new-flow", false),
      "the client to converge after the restart",
    );
    expect(violations).toEqual([]);
    const v = await fx.set("checkout", "max-items", 99);
    await waitFor(() => c.getNumber("checkout", "max-items", 0) === 99, "live changes after the restart");
    expect(c.resolve("checkout", "max-items", "number", 0).version).toBe(v);
  });

  it("serves only flags in the key's environment and namespaces", async () => {
    const c = client(fx.url, await fx.sdkKey(["checkout"], "staging"));
    const changes: FlagChange[] = [];
    c.on("change", (e) => changes.push(e));
    await c.ready({ live: true, timeoutMs: 5000 });
    expect(c.environment).toBe("staging");
    expect(c.getAll().map((f) => `${f.namespace}/${f.key}`).sort()).toEqual(["checkout/max-items", "checkout/new-flow"]);
    expect(c.getBoolean("checkout", "new-flow", true)).toBe(false);
    expect(c.resolve("search", "ranking", "string", "none")).toMatchObject({ value: "none", errorCode: "FLAG_NOT_FOUND" });

    await fx.set("search", "ranking", "staging-only", "staging"); // other namespace
    await fx.set("checkout", "max-items", 1234, "production"); // other environment
    await fx.set("checkout", "new-flow", true, "staging"); // in scope: the marker we wait for
    await waitFor(() => c.getBoolean("checkout", "new-flow", false), "the in-scope change");
    expect(changes.every((e) => e.namespace === "checkout")).toBe(true);
    expect(c.getNumber("checkout", "max-items", 0)).toBe(5);
    expect(c.getAll().every((f) => f.namespace === "checkout")).toBe(true);
  });

  it("a refused key sets state error and rejects ready(); a revoked key's client ends in error too", async () => {
    const unknown = client(fx.url, `mf_sdk_${"A".repeat(43)}`);
    await expect(unknown.ready({ timeoutMs: 5000 })).rejects.toThrow(/HTTP 40[13]/);
    expect(unknown.state).toBe("error");

    const { key, id } = await fx.sdkKeyWithId(null);
    const revoked = client(fx.url, key, { maxBackoffMs: 200 });
    await revoked.ready({ live: true, timeoutMs: 5000 });
    await fx.revoke(id);
    await waitFor(() => revoked.state === "error", "the revoked key's client to report error", 5000);
    expect(revoked.getBoolean("checkout", "new-flow", false)).toBe(true); // last values still served
  });
});
