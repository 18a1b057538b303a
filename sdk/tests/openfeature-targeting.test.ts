import { OpenFeature as ServerOpenFeature } from "@openfeature/server-sdk";
import { OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MizuFlowClient } from "../src/client";
import { targetingEngine } from "../src/local-eval/targeting-entry";
import { toEngineContext } from "../src/openfeature/context-mapping";
import { MizuFlowServerProvider } from "../src/openfeature/server-provider";
import { MizuFlowWebProvider } from "../src/openfeature/web-provider";
import type { JsonValue, WireTargeting } from "../src/types";
import { FakeEventSource } from "./support/fake-event-source";

/**
 * The OpenFeature providers with targeting, through the published @openfeature/server-sdk and
 * @openfeature/web-sdk: the evaluation context reaches the rules (targetingKey -> userId unless
 * userId is set, attributes -> properties, Unleash's top-level fields stay top-level), and the
 * reasons, variant names and rule index come back. The flags arrive through an in-process feed
 * (the real stream is covered by targeting-stream.test.ts and openfeature-server.test.ts).
 */
const silent = { warn: () => {}, error: () => {} };
const rule = (constraints: JsonValue[], serve: JsonValue) => ({ constraints, serve });
const inList = (contextName: string, ...values: string[]) => ({ contextName, operator: "IN", values });

const checkout: WireTargeting = {
  variants: [{ name: "blue", value: "blue-page" }, { name: "green", value: "green-page" }],
  rules: [
    rule([inList("email", "ada@corp.example")], { value: "staff-page" }),
    rule([{ contextName: "remoteAddress", operator: "IN_CIDR", values: ["10.0.0.0/8"] }], { value: "office-page" }),
    rule([inList("userId", "u-green")], { split: { variants: [{ variant: "blue", weight: 0 }, { variant: "green", weight: 1 }] } }),
  ],
};

let client: MizuFlowClient;
const DOMAIN = "mizuflow-targeting";

beforeAll(async () => {
  client = createClient({ url: "http://flags.test", sdkKey: "k", EventSource: FakeEventSource, logger: silent, reportRevision: false, targeting: targetingEngine });
  const es = FakeEventSource.latest();
  es.open();
  es.send("snapshot", 7, {
    revision: 7,
    environment: "production",
    flags: [
      { namespace: "checkout", key: "page", type: "string", value: "classic", version: 4, targeting: checkout },
      { namespace: "checkout", key: "plain", type: "boolean", value: true, version: 2 },
      { namespace: "checkout", key: "off", type: "boolean", value: true, version: 3, targeting: { enabled: false } },
    ],
  });
  await ServerOpenFeature.setProviderAndWait(DOMAIN, new MizuFlowServerProvider({ client, defaultNamespace: "checkout" }));
});

afterAll(async () => {
  await ServerOpenFeature.close();
  await WebOpenFeature.close();
  await client.close();
  FakeEventSource.instances = [];
});

describe("OpenFeature server provider with targeting", () => {
  it("passes the context to the rules and maps reasons, variants and the rule index", async () => {
    const of = ServerOpenFeature.getClient(DOMAIN);
    expect(await of.getStringDetails("page", "x", { targetingKey: "u1", email: "ada@corp.example" })).toMatchObject({
      value: "staff-page",
      reason: "TARGETING_MATCH",
      flagMetadata: expect.objectContaining({ ruleIndex: 0, version: 4 }),
    });
    expect(await of.getStringDetails("page", "x", { targetingKey: "u1", remoteAddress: "10.2.3.4" })).toMatchObject({ value: "office-page", reason: "TARGETING_MATCH" });
    const split = await of.getStringDetails("checkout/page", "x", { targetingKey: "u-green" });
    expect(split).toMatchObject({ value: "green-page", reason: "SPLIT", variant: "green", flagMetadata: expect.objectContaining({ ruleIndex: 2 }) });
    // userId wins over targetingKey.
    expect(await of.getStringDetails("page", "x", { targetingKey: "u-green", userId: "someone" })).toMatchObject({ value: "classic", reason: "DEFAULT", variant: "v4" });
    expect(await of.getStringDetails("page", "x")).toMatchObject({ value: "classic", reason: "DEFAULT" });
    expect(await of.getBooleanDetails("plain", false, { targetingKey: "u1" })).toMatchObject({ value: true, reason: "STATIC", variant: "v2" });
    const off = await of.getBooleanDetails("off", true, { targetingKey: "u1" });
    expect(off).toMatchObject({ value: false, reason: "DISABLED" });
    expect(off.variant).toBeUndefined();
    expect(await of.getBooleanDetails("page", false, { targetingKey: "u1" })).toMatchObject({ value: false, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
  });
});

describe("OpenFeature web provider with targeting", () => {
  it("evaluates with the static context set on OpenFeature, and re-evaluates when it changes", async () => {
    await WebOpenFeature.setContext({ targetingKey: "u-green" });
    await WebOpenFeature.setProviderAndWait(new MizuFlowWebProvider({ client, defaultNamespace: "checkout" }));
    const of = WebOpenFeature.getClient();
    expect(of.getStringDetails("page", "x")).toMatchObject({ value: "green-page", reason: "SPLIT", variant: "green" });
    await WebOpenFeature.setContext({ targetingKey: "u1", email: "ada@corp.example" });
    expect(of.getStringDetails("page", "x")).toMatchObject({ value: "staff-page", reason: "TARGETING_MATCH" });
  });
});

describe("context mapping (OpenFeature -> engine)", () => {
  it("targetingKey is userId unless userId is set; Unleash's fields stay top-level; other scalars go under properties", () => {
    const at = new Date("2026-05-01T10:00:00Z");
    expect(
      toEngineContext({
        targetingKey: "t-1",
        sessionId: "s-1",
        remoteAddress: "10.0.0.1",
        appName: "shop",
        environment: "prod",
        currentTime: at,
        plan: "pro",
        seats: 5,
        beta: true,
        signedUpAt: at,
        nested: { a: 1 },
        list: ["x"],
        properties: { region: "eu" },
      }),
    ).toEqual({
      userId: "t-1",
      sessionId: "s-1",
      remoteAddress: "10.0.0.1",
      appName: "shop",
      environment: "prod",
      currentTime: at,
      properties: { region: "eu", plan: "pro", seats: 5, beta: true, signedUpAt: "2026-05-01T10:00:00.000Z" },
    });
    expect(toEngineContext({ targetingKey: "t-1", userId: "u-9" })).toEqual({ userId: "u-9" });
    expect(toEngineContext({})).toBeUndefined();
    expect(toEngineContext(undefined)).toBeUndefined();
  });
});
