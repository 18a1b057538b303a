import { afterEach, describe, expect, it } from "vitest";
import { createClient, type MizuFlowClient } from "../src/client";
import type { SnapshotStore } from "../src/snapshot-store";
import type { FlagChange, StateEvent } from "../src/types";
import { FakeEventSource } from "./support/fake-event-source";

const silent = { warn: () => {}, error: () => {} };
const clients: MizuFlowClient[] = [];

function client(extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  const c = createClient({
    url: "http://flags.test",
    sdkKey: "mf_test",
    EventSource: FakeEventSource,
    logger: silent,
    initialBackoffMs: 5,
    random: () => 0,
    ...extra,
  });
  clients.push(c);
  return c;
}

const snap = (revision: number, flags: { key: string; value: unknown; version: number }[]) => ({
  revision,
  environment: "production",
  flags: flags.map((f) => ({ namespace: "ns", type: typeof f.value === "number" ? "number" : "boolean", ...f })),
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  FakeEventSource.instances = [];
});

describe("client state machine (in-process fake feed, pure logic only)", () => {
  it("becomes ready on the first snapshot, emits a change per key and one update per event", async () => {
    const c = client();
    const changes: FlagChange[] = [];
    const states: StateEvent[] = [];
    c.on("change", (e) => changes.push(e));
    c.on("state", (e) => states.push(e));
    expect(c.state).toBe("connecting");
    expect(FakeEventSource.latest().url).toBe("http://flags.test/api/sdk/v1/stream?sdk_key=mf_test");
    const es = FakeEventSource.latest();
    es.open();
    es.send("snapshot", 5, snap(5, [{ key: "a", value: true, version: 1 }]));
    await c.ready({ live: true });
    expect(c.state).toBe("ready");
    expect(c.revision).toBe(5);
    expect(c.getBoolean("ns", "a", false)).toBe(true);
    es.send("put", 6, { revision: 6, namespace: "ns", key: "a", type: "boolean", value: false, version: 2 });
    es.send("put", 5, { revision: 5, namespace: "ns", key: "a", type: "boolean", value: true, version: 3 }); // an older id: a replay, skipped
    expect(c.getBoolean("ns", "a", true)).toBe(false);
    expect(changes.map((e) => [e.key, e.newValue, e.newVersion])).toEqual([
      ["a", true, 1],
      ["a", false, 2],
    ]);
    expect(states.map((s) => s.state)).toEqual(["ready"]);
  });

  it("ignores put/delete before this connection's snapshot, and resumes after a drop with last_event_id", async () => {
    const c = client();
    const es = FakeEventSource.latest();
    es.open();
    es.send("put", 3, { revision: 3, namespace: "ns", key: "a", type: "boolean", value: true, version: 1 });
    expect(c.getAll()).toEqual([]);
    es.send("snapshot", 4, snap(4, [{ key: "a", value: false, version: 1 }]));
    es.fail();
    expect(c.state).toBe("stale");
    expect(c.getBoolean("ns", "a", true)).toBe(false); // still served while reconnecting
    await new Promise((r) => setTimeout(r, 20));
    const next = FakeEventSource.latest();
    expect(next).not.toBe(es);
    expect(es.closed).toBe(true);
    expect(new URL(next.url).searchParams.get("last_event_id")).toBe("4");
    next.open();
    expect(c.state).toBe("ready");
  });

  it("a refused key (401) sets state error and rejects ready()", async () => {
    const c = client();
    const ready = c.ready();
    FakeEventSource.latest().fail(401);
    await expect(ready).rejects.toThrow(/401/);
    expect(c.state).toBe("error");
    await expect(c.ready()).rejects.toThrow(/401/); // a later ready() does not hang either
  });

  it("a malformed event forces a fresh snapshot instead of guessing", async () => {
    const c = client();
    const es = FakeEventSource.latest();
    es.open();
    es.send("snapshot", 4, snap(4, [{ key: "a", value: false, version: 1 }]));
    es.send("put", 5, "{not json");
    await new Promise((r) => setTimeout(r, 20));
    const next = FakeEventSource.latest();
    expect(next).not.toBe(es);
    expect(new URL(next.url).searchParams.has("last_event_id")).toBe(false);
  });

  it("serves a loaded local snapshot as stale, then converges on the live one with changes only for what differs", async () => {
    let saved: string | null = null;
    const store: SnapshotStore = { load: async () => saved, save: async (s) => void (saved = s) };
    const first = client({ snapshotStore: store, persistDebounceMs: 1 });
    FakeEventSource.latest().send("snapshot", 8, snap(8, [{ key: "a", value: true, version: 2 }, { key: "n", value: 1, version: 1 }]));
    await first.close();
    expect(JSON.parse(saved!)).toMatchObject({ format: "mizuflow.snapshot.v1", revision: 8 });

    const second = client({ snapshotStore: store });
    const changes: FlagChange[] = [];
    second.on("change", (e) => changes.push(e));
    await second.ready();
    expect(second.state).toBe("stale");
    expect(second.getNumber("ns", "n", 0)).toBe(1);
    expect(second.resolve("ns", "n", "number", 0).reason).toBe("CACHED");
    changes.length = 0;
    FakeEventSource.latest().send("snapshot", 9, snap(9, [{ key: "a", value: true, version: 2 }, { key: "n", value: 2, version: 2 }]));
    expect(second.state).toBe("ready");
    expect(changes.map((e) => [e.key, e.oldValue, e.newValue, e.source])).toEqual([["n", 1, 2, "snapshot"]]);
  });

  it("ignores a local snapshot written for another SDK key", async () => {
    let saved: string | null = null;
    const store: SnapshotStore = { load: async () => saved, save: async (s) => void (saved = s) };
    const first = client({ snapshotStore: store, persistDebounceMs: 1 });
    FakeEventSource.latest().send("snapshot", 8, snap(8, [{ key: "a", value: true, version: 2 }]));
    await first.close();
    const other = client({ snapshotStore: store, sdkKey: "mf_other" });
    await expect(other.ready({ timeoutMs: 50 })).rejects.toThrow(/not ready/);
    expect(other.getAll()).toEqual([]);
  });
});
