import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/node";
import type { MizuFlowClient } from "../src/client";
import { waitFor } from "../../tests/support/test-env";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

const silent = { warn: () => {}, error: () => {} };
let fx: StreamFixture;
let dir: string;

beforeAll(async () => {
  fx = await startStreamFixture();
  await fx.flag("checkout", "new-flow", "boolean", { production: true });
  await fx.flag("checkout", "layout", "json", { production: { columns: 2 } });
  dir = await mkdtemp(path.join(os.tmpdir(), "mf-sdk-snap-"));
});

afterAll(async () => {
  await fx?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("local snapshot against the real stream server", () => {
  it("starts from the local snapshot while the server is down (stale, values served) and converges when it returns", async () => {
    const snapshotPath = path.join(dir, "flags.json");
    const sdkKey = await fx.sdkKey(null);
    const opts = { url: fx.url, sdkKey, snapshotPath, logger: silent, persistDebounceMs: 10, initialBackoffMs: 50, maxBackoffMs: 300 };

    const first = createClient(opts);
    await first.ready({ live: true, timeoutMs: 5000 });
    const liveRevision = first.revision;
    await first.close(); // flushes the pending write
    expect(JSON.parse(await readFile(snapshotPath, "utf8"))).toMatchObject({ revision: liveRevision, environment: "production" });

    await fx.stop();
    let second: MizuFlowClient | null = null;
    try {
      second = createClient(opts);
      const t0 = performance.now();
      await second.ready({ timeoutMs: 2000 });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(second.state).toBe("stale");
      expect(second.revision).toBe(liveRevision);
      expect(second.getBoolean("checkout", "new-flow", false)).toBe(true);
      expect(second.getJSON("checkout", "layout", {})).toEqual({ columns: 2 });
      expect(second.resolve("checkout", "new-flow", "boolean", false).reason).toBe("CACHED");

      // Committed while the stream server is down; the client must pick it up when it returns.
      const version = await fx.set("checkout", "new-flow", false);
      await new Promise((r) => setTimeout(r, 400)); // a few failed reconnects
      expect(second.state).toBe("stale");
      await fx.start();
      const s = second;
      await waitFor(() => s.state === "ready" && !s.getBoolean("checkout", "new-flow", true), "convergence after the server returns");
      expect(s.resolve("checkout", "new-flow", "boolean", true)).toMatchObject({ reason: "STATIC", version });
      await waitFor(async () => JSON.parse(await readFile(snapshotPath, "utf8")).revision === s.revision, "the new state persisted");
    } finally {
      await second?.close();
      await fx.start();
    }
  });
});
