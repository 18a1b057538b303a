import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/node";
import type { MizuFlowClient } from "../src/client";
import { RevisionReporter } from "../src/revision-reporter";
import { waitFor } from "../../tests/support/test-env";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

/**
 * The SDK's revision reports against the REAL stream server (service verbs -> MariaDB -> etcd ->
 * watch hub -> SSE -> SDK -> POST /api/sdk/v1/report -> presence table). The reports the SDK sends
 * are observed by wrapping the global fetch (the SDK's transport for them); nothing is faked.
 */
const silent = { warn: () => {}, error: () => {} };
let fx: StreamFixture;
const clients: MizuFlowClient[] = [];
const realFetch = globalThis.fetch;
interface Sent {
  at: number;
  body: { clientId: string; revision: number; state: string; sdk: string };
}
const sent: Sent[] = [];
let failReports = false;

function client(sdkKey: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  const c = createClient({ url: fx.url, sdkKey, logger: silent, initialBackoffMs: 50, maxBackoffMs: 300, reportIntervalMs: 1000, ...extra });
  clients.push(c);
  return c;
}

const table = () => fx.server()!.core.reports.table;
const reportsOf = (clientId: string) => sent.filter((s) => s.body.clientId === clientId);

/** The first report of a client created after `mark` reports had been sent (it names the client id). */
async function firstReport(c: MizuFlowClient, mark: number): Promise<Sent> {
  return waitFor(() => sent.slice(mark).find((s) => s.body.revision === c.revision && s.body.state === "ready"), "the first report", 5_000);
}

beforeAll(async () => {
  fx = await startStreamFixture();
  await fx.flag("checkout", "a", "boolean", { production: true });
  await fx.flag("checkout", "b", "boolean", { production: true });
  await fx.flag("checkout", "c", "boolean", { production: true });
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes("/api/sdk/v1/report")) {
      sent.push({ at: Date.now(), body: JSON.parse(String(init?.body)) });
      if (failReports) throw new TypeError("fetch failed (test: report endpoint unreachable)");
    }
    return realFetch(input, init);
  };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  failReports = false;
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await fx?.cleanup();
});

describe("SDK revision reports", () => {
  it("guarantee: a client reports once it is ready and again after an applied change; the server records its revision", async () => {
    const { key, id } = await fx.sdkKeyWithId(["checkout"]);
    const mark = sent.length;
    const c = client(key);
    await c.ready({ live: true, timeoutMs: 5000 });
    const first = await firstReport(c, mark);
    expect(first.body.sdk).toMatch(/^mizuflow-js\//);
    expect(first.body.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    const clientId = first.body.clientId;
    await waitFor(() => table().get(id, clientId)?.revision === c.revision, "the server to record the ready revision", 5_000);
    expect(table().get(id, clientId)).toMatchObject({ environment: "production", scope: "checkout", state: "ready" });

    const before = c.revision;
    await fx.set("checkout", "a", false);
    await waitFor(() => c.revision > before, "the change to reach the SDK", 5_000);
    await waitFor(() => table().get(id, clientId)?.revision === c.revision, "the server to record the changed revision", 5_000);

    await c.close();
    await waitFor(() => table().get(id, clientId) === undefined, "a closed client to stop counting at once", 5_000);
    expect(reportsOf(clientId).at(-1)?.body.state).toBe("closed");
  });

  it("guarantee: reports are throttled (at most one per interval, trailing): a burst of changes costs one more report, carrying the last revision", async () => {
    const { key, id } = await fx.sdkKeyWithId(null);
    const mark = sent.length;
    const c = client(key);
    await c.ready({ live: true, timeoutMs: 5000 });
    const { body, at: t0 } = await firstReport(c, mark);
    let lastAppliedAt = 0;
    c.on("update", () => (lastAppliedAt = Date.now()));
    const before = c.revision;
    await Promise.all([fx.set("checkout", "a", true), fx.set("checkout", "b", false), fx.set("checkout", "c", false)]);
    await fx.set("checkout", "a", false);
    await waitFor(() => c.revision > before && table().get(id, body.clientId)?.revision === c.revision, "the last revision reported", 5_000);
    await new Promise((r) => setTimeout(r, 1_300)); // room for any extra report to show up
    const mine = reportsOf(body.clientId).filter((s) => s.body.state !== "closed");
    const gaps = mine.slice(1).map((s, i) => s.at - mine[i]!.at);
    // Reports at t0, t0+1s, t0+2s... each covering the changes since the previous one.
    const allowed = 1 + Math.ceil((lastAppliedAt - t0) / 1000);
    console.info(`[sdk] 4 changes -> ${mine.length} reports (allowed ${allowed}), gaps ${gaps.join(", ")} ms`);
    expect(mine.length).toBeLessThanOrEqual(allowed);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(990);
    expect(mine.at(-1)!.body.revision).toBe(c.revision);
  });

  it("guarantee: a failing report endpoint never affects evaluation and is not retried", async () => {
    failReports = true;
    const key = await fx.sdkKey(["checkout"]);
    const mark = sent.length;
    const c = client(key);
    await c.ready({ live: true, timeoutMs: 5000 });
    const { body, at: t0 } = await firstReport(c, mark);
    expect(c.state).toBe("ready");
    const before = c.revision;
    await fx.set("checkout", "b", true);
    await waitFor(() => c.revision > before, "the change to reach the SDK", 5_000);
    expect(c.getBoolean("checkout", "b", false)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_300));
    const elapsed = Date.now() - t0;
    // One report for ready, at most one per second after that: failures add nothing.
    expect(reportsOf(body.clientId).length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 1000));
    expect(c.state).toBe("ready");
  });

  it("guarantee: reportRevision: false sends nothing", async () => {
    const key = await fx.sdkKey(null);
    const count = sent.length;
    const c = client(key, { reportRevision: false });
    await c.ready({ live: true, timeoutMs: 5000 });
    const before = c.revision;
    await fx.set("checkout", "c", true);
    await waitFor(() => c.revision > before, "the change to reach the SDK", 5_000);
    await new Promise((r) => setTimeout(r, 300));
    await c.close();
    expect(sent.length).toBe(count);
  });

  it("guarantee: a quiet client keeps reporting on its heartbeat, so the server keeps counting it", async () => {
    const { key, id } = await fx.sdkKeyWithId(["checkout"]);
    const reporter = new RevisionReporter({
      url: `${fx.url}/api/sdk/v1/report`,
      sdkKey: key,
      authMode: "header",
      intervalMs: 1000,
      heartbeatMs: 1000,
      current: () => ({ revision: 5, state: "ready" }),
      logger: silent,
    });
    try {
      reporter.ready();
      await waitFor(() => reportsOf(reporter.clientId).length >= 3, "two heartbeats after the first report", 5_000);
      const seen = table().get(id, reporter.clientId)!;
      expect(seen.revision).toBe(5);
      expect(Date.now() - seen.lastSeen).toBeLessThan(1_500);
    } finally {
      reporter.close();
    }
  });
});
