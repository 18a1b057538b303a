import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { waitFor } from "../../tests/support/test-env";
import { MizuFlowOfrepWebProvider } from "../src/openfeature/ofrep-web-provider";
import type { EventSourceConstructor } from "../src/stream-connection";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

/**
 * MizuFlowOfrepWebProvider's failure handling against the real worker (MariaDB, etcd, the stream
 * server stopped and started on the same port), in Node with the eventsource package standing in
 * for the browser's EventSource. The Chromium test (tests/browser/ofrep-own-provider.test.ts)
 * covers the browser path; this one covers what a browser cannot easily be made to do.
 */
let fx: StreamFixture;
const statuses: { path: string; status: number | "failed" }[] = [];
const recordingFetch = async (input: string | URL, init?: RequestInit) => {
  const path = new URL(String(input)).pathname;
  try {
    const res = await fetch(input, init);
    statuses.push({ path, status: res.status });
    return res;
  } catch (e) {
    statuses.push({ path, status: "failed" });
    throw e;
  }
};

async function clientKey(name: string) {
  const made = await createSdkKey({ ctx: fx.ctx, input: { name, environment: "production", namespaces: ["checkout"], kind: "client" } });
  return { key: made.key, id: made.sdkKey.id };
}

function provider(sdkKey: string) {
  return new MizuFlowOfrepWebProvider({
    baseUrl: fx.url,
    sdkKey,
    fetch: recordingFetch,
    EventSource: EventSource as unknown as EventSourceConstructor,
    initialBackoffMs: 50,
    maxBackoffMs: 400,
    reportRevision: false,
  });
}

function events(domain: string) {
  const seen: { type: string; at: number; message?: string; flagsChanged?: string[] }[] = [];
  const client = OpenFeature.getClient(domain);
  for (const type of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error, ProviderEvents.ConfigurationChanged]) {
    client.addHandler(type, (d) => seen.push({ type, at: Date.now(), message: d?.message, flagsChanged: d?.flagsChanged as string[] | undefined }));
  }
  return { client, seen };
}

beforeAll(async () => {
  fx = await startStreamFixture();
  await fx.flag("checkout", "theme", "string", { production: "classic" });
});

afterAll(async () => {
  await OpenFeature.close();
  await fx?.cleanup();
});

describe("MizuFlowOfrepWebProvider against the real worker", () => {
  it("guarantee: through a server restart it turns STALE (still serving), re-validates with a 304 when back (READY), and gets later changes from the event stream", async () => {
    const { key } = await clientKey("restart");
    const p = provider(key);
    await OpenFeature.setProviderAndWait("restart", p);
    const { client, seen } = events("restart");
    expect(client.getStringDetails("checkout/theme", "x")).toMatchObject({ value: "classic", reason: "STATIC" });
    await waitFor(() => (fx.server()?.ofrep.events.openCount ?? 0) >= 1, "the event stream");

    await fx.stop();
    await waitFor(() => seen.some((e) => e.type === ProviderEvents.Stale), "STALE after the server went away");
    // Never throws, keeps the last values.
    const stale = client.getStringDetails("checkout/theme", "x");
    expect(stale.value).toBe("classic");
    expect(stale.errorCode).toBeUndefined();

    const bulkBefore = statuses.filter((s) => s.path === "/ofrep/v1/evaluate/flags").length;
    await fx.start();
    // (The SDK replays READY to a handler added while ready: only a READY after the STALE counts.)
    const staleAt = seen.find((e) => e.type === ProviderEvents.Stale)!.at;
    await waitFor(() => seen.some((e) => e.type === ProviderEvents.Ready && e.at >= staleAt), "READY once the server is back", 10_000);
    // Nothing changed meanwhile: the re-validation was a 304.
    expect(statuses.filter((s) => s.path === "/ofrep/v1/evaluate/flags").slice(bulkBefore).map((s) => s.status)).toContain(304);
    expect(seen.some((e) => e.type === ProviderEvents.ConfigurationChanged)).toBe(false);

    await waitFor(() => (fx.server()?.ofrep.events.openCount ?? 0) >= 1, "the event stream to reopen", 10_000);
    await fx.set("checkout", "theme", "ocean");
    await waitFor(() => client.getStringValue("checkout/theme", "x") === "ocean", "the change after the restart");
    expect(seen.find((e) => e.type === ProviderEvents.ConfigurationChanged)?.flagsChanged).toEqual(["checkout/theme"]);
  });

  it("guarantee: a revoked key turns the provider to ERROR (the stream closes, the re-validation is refused), evaluation still never throws", async () => {
    const { key, id } = await clientKey("revoked");
    await OpenFeature.setProviderAndWait("revoked", provider(key));
    const { client, seen } = events("revoked");
    await waitFor(() => (fx.server()?.ofrep.events.openCount ?? 0) >= 1, "the event stream");
    await revokeSdkKey({ ctx: fx.ctx, input: { id } });
    await waitFor(() => seen.some((e) => e.type === ProviderEvents.Error), "ERROR after the revocation", 10_000);
    expect(seen.find((e) => e.type === ProviderEvents.Error)!.message).toMatch(/revoked/);
    expect(() => client.getStringDetails("checkout/theme", "x")).not.toThrow();
  });

  it("guarantee: started while the server is down, initialize fails (ERROR) and the provider becomes READY by itself once it is up", async () => {
    const { key } = await clientKey("late");
    await fx.stop();
    const p = provider(key);
    await expect(OpenFeature.setProviderAndWait("late", p)).rejects.toBeDefined();
    const { client, seen } = events("late");
    expect(client.getStringDetails("checkout/theme", "x")).toMatchObject({ value: "x", reason: "ERROR" });
    await fx.start();
    await waitFor(() => seen.some((e) => e.type === ProviderEvents.Ready), "READY after the server started", 10_000);
    const back = client.getStringDetails("checkout/theme", "x");
    expect(back.value).toBe("ocean");
    expect(back.errorCode).toBeUndefined();
  });
});
