import { OpenFeature, ProviderEvents, ProviderStatus, type EventDetails } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MizuFlowServerProvider } from "../src/openfeature/server-provider";
import { waitFor } from "../../tests/support/test-env";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

const silent = { warn: () => {}, error: () => {} };
const DOMAIN = "mizuflow-sdk-test";
let fx: StreamFixture;
let provider: MizuFlowServerProvider;

beforeAll(async () => {
  fx = await startStreamFixture();
  await fx.flag("checkout", "new-flow", "boolean", { production: true });
  await fx.flag("checkout", "max-items", "number", { production: 10 });
  await fx.flag("search", "layout", "json", { production: { columns: 3 } });
  provider = new MizuFlowServerProvider({
    clientOptions: { url: fx.url, sdkKey: await fx.sdkKey(null), logger: silent, initialBackoffMs: 50, maxBackoffMs: 300 },
    defaultNamespace: "checkout",
  });
  await OpenFeature.setProviderAndWait(DOMAIN, provider);
});

afterAll(async () => {
  await OpenFeature.close();
  await fx?.cleanup();
});

describe("OpenFeature server provider over the real stream server", () => {
  it("resolves values with details: namespace/key or bare keys in the default namespace", async () => {
    const flags = OpenFeature.getClient(DOMAIN);
    expect(flags.providerStatus).toBe(ProviderStatus.READY);
    const d = await flags.getBooleanDetails("checkout/new-flow", false);
    expect(d).toMatchObject({ value: true, reason: "STATIC", variant: "v1" });
    expect(d.flagMetadata).toMatchObject({ namespace: "checkout", key: "new-flow", version: 1 });
    expect(await flags.getNumberValue("max-items", 0)).toBe(10);
    expect(await flags.getObjectValue("search/layout", {})).toEqual({ columns: 3 });
    expect(await flags.getStringDetails("checkout/new-flow", "x")).toMatchObject({ value: "x", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(await flags.getBooleanDetails("checkout/missing", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(await flags.getBooleanDetails("no-namespace/at/all", true)).toMatchObject({ value: true, errorCode: "FLAG_NOT_FOUND" });
  });

  it("emits ConfigurationChanged with flagsChanged, and Stale/Ready around a server outage", async () => {
    const flags = OpenFeature.getClient(DOMAIN);
    const events: { type: string; details?: EventDetails }[] = [];
    for (const type of [ProviderEvents.ConfigurationChanged, ProviderEvents.Stale, ProviderEvents.Ready]) {
      flags.addHandler(type, (details) => void events.push({ type, details }));
    }
    await fx.set("checkout", "new-flow", false);
    const changed = await waitFor(() => events.find((e) => e.type === ProviderEvents.ConfigurationChanged), "ConfigurationChanged");
    expect(changed.details?.flagsChanged).toEqual(expect.arrayContaining(["checkout/new-flow", "new-flow"]));
    expect(await flags.getBooleanValue("new-flow", true)).toBe(false);

    // (a handler added while READY runs at once, so count only events from the outage on)
    const outageStart = events.length;
    await fx.stop();
    await waitFor(() => events.slice(outageStart).some((e) => e.type === ProviderEvents.Stale), "Stale");
    expect(flags.providerStatus).toBe(ProviderStatus.STALE);
    expect(await flags.getBooleanDetails("new-flow", true)).toMatchObject({ value: false, reason: "CACHED" });
    const staleAt = events.length;
    await fx.start();
    await waitFor(() => events.slice(staleAt).some((e) => e.type === ProviderEvents.Ready), "Ready after the server returns");
    expect(flags.providerStatus).toBe(ProviderStatus.READY);
  });
});
