import { describe, expect, it } from "vitest";
import type { Actor } from "../auth/actor";
import type { HubEvent } from "../delivery/hub/hub-types";
import type { WatchHub } from "../delivery/hub/watch-hub";
import { consoleEventStream } from "./console-stream";
import { percentilesBetween } from "./realtime-stats";

/** A stand-in for the watch hub: only the three members the console stream uses. */
function fakeHub() {
  const listeners = new Set<(events: readonly HubEvent[]) => void>();
  const hub = {
    currentRevision: 10,
    stats: () => ({ flags: 3 }),
    onBatch(l: (events: readonly HubEvent[]) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const emit = (events: HubEvent[]) => listeners.forEach((l) => l(events));
  return { hub: hub as unknown as WatchHub, emit, listeners };
}

const put = (revision: number, namespace: string): HubEvent => ({
  type: "put",
  revision,
  environment: "production",
  namespace,
  key: "k",
  version: revision,
  committedAtMs: 1_700_000_000_000,
  frame: null,
  doc: { namespace, key: "k", type: "boolean", value: true, version: revision, updatedAt: new Date(1_700_000_000_000).toISOString() },
});

const reviewer: Actor = { type: "api_token", id: "t1", name: "token", isSuperAdmin: false, grants: [{ namespaceKey: "alpha", role: "reviewer", environmentKeys: null }] };

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text;
}

describe("console event stream", () => {
  it("forwards only events of namespaces the viewer can read (no names of others leak)", async () => {
    const { hub, emit, listeners } = fakeHub();
    const abort = new AbortController();
    const reader = consoleEventStream({ hub, actor: reviewer, recheck: async () => reviewer, recheckMs: 30_000, maxLifetimeMs: 900_000, signal: abort.signal }).getReader();
    expect(await readUntil(reader, /event: ready/)).toMatch(/^retry: 2000\n\nevent: ready\ndata: \{"revision":10,"flags":3\}/);
    emit([put(11, "beta"), put(12, "alpha"), put(13, "secret-team")]);
    const text = await readUntil(reader, /id: 12/);
    expect(text).toContain('"namespace":"alpha"');
    expect(text).not.toMatch(/beta|secret-team/);
    expect(text).toContain('"updatedAt":"2023-11-14T22:13:20.000Z"');
    abort.abort();
    expect((await reader.read()).done).toBe(true);
    expect(listeners.size).toBe(0);
  });
});

describe("propagation percentiles", () => {
  it("are interpolated within histogram buckets from the difference of two snapshots", () => {
    const older = new Map([[0.01, 5], [0.1, 5], [1, 5], [Infinity, 5]]);
    // 100 new observations: 50 up to 10 ms, 40 more up to 100 ms, 10 more up to 1 s.
    const newer = new Map([[0.01, 55], [0.1, 95], [1, 105], [Infinity, 105]]);
    const p = percentilesBetween(older, newer, 0);
    expect(p.count).toBe(100);
    expect(p.p50).toBeCloseTo(0.01, 5);
    expect(p.p90).toBeCloseTo(0.1, 5);
    expect(p.p99).toBeCloseTo(0.1 + 0.9 * 0.9, 5);
    expect(percentilesBetween(newer, newer, 0)).toMatchObject({ count: 0, p50: null });
  });
});
