import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../auth/actor";
import { createImmediatePublisher } from "../outbox/immediate-publisher";
import { setTargeting } from "../rules/targeting-verbs";
import type { ServiceContext } from "../core/context";
import { createFlag } from "../flags/create-flag";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { newSdkKey, seedScopes } from "../../tests/support/stream-server/fixtures";
import { createSegment, updateSegment } from "./segment-verbs";

/**
 * Issue 14, OFREP over saved rules: a flag's rules and its namespace's segments, saved through the
 * admin verbs and delivered through etcd to the watch hub, evaluate on the server with the SDK's
 * engine: TARGETING_MATCH (segment rule), SPLIT with its variant, DEFAULT (OFREP UNKNOWN with
 * metadata.mizuflowReason) and DISABLED; a segment change alone changes the next evaluation.
 */
let env: TestEnv;
let server: StreamServer;
let base: string;
let ctx: ServiceContext;
let key: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["checkout"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root, heartbeatMs: 1000, revocationCheckMs: 200, rateLimit: false });
  base = `http://127.0.0.1:${server.port}`;
  ctx = env.ctx(SYSTEM_ACTOR, { onCommitted: createImmediatePublisher(env.db, env.etcd.root) });
  key = (await newSdkKey(env.db, "prod", ["checkout"])).key;
  await createFlag({ ctx, input: { namespace: "checkout", key: "theme", type: "string", values: { prod: "classic" } } });
  await createFlag({ ctx, input: { namespace: "checkout", key: "off", type: "boolean" } });
  await createSegment({ ctx, input: { namespace: "checkout", key: "beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta"] }] } });
  await setTargeting({
    ctx,
    input: {
      namespace: "checkout",
      key: "theme",
      environment: "prod",
      variants: [{ name: "blue", value: "blue-page" }, { name: "green", value: "green-page" }],
      rules: [
        { segments: ["beta"], serve: { value: "beta-page" } },
        { constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], serve: { split: { variants: [{ variant: "blue", weight: 1 }, { variant: "green", weight: 0 }] } } },
      ],
    },
  });
  await setTargeting({ ctx, input: { namespace: "checkout", key: "off", environment: "prod", enabled: false } });
  await waitFor(() => server.hub.segment("prod", "checkout", "beta") && (server.hub.document("prod", "checkout", "off")?.version ?? 0) >= 2, "rules in the hub");
});
afterAll(async () => {
  await server.close();
  await env.cleanup();
});

async function evaluate(flag: string, context: Record<string, unknown>) {
  const res = await fetch(`${base}/ofrep/v1/evaluate/flags/checkout/${flag}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey: "u1", ...context } }),
  });
  return res.json();
}

describe("OFREP evaluates saved rules and segments", () => {
  it("returns TARGETING_MATCH, SPLIT with the variant, DEFAULT (UNKNOWN) and DISABLED", async () => {
    expect(await evaluate("theme", { plan: "beta" })).toMatchObject({ value: "beta-page", reason: "TARGETING_MATCH", metadata: { ruleIndex: 0 } });
    expect(await evaluate("theme", { plan: "pro" })).toMatchObject({ value: "blue-page", reason: "SPLIT", variant: "blue" });
    expect(await evaluate("theme", { plan: "free" })).toMatchObject({ value: "classic", reason: "UNKNOWN", metadata: { mizuflowReason: "DEFAULT" } });
    expect(await evaluate("off", {})).toMatchObject({ value: false, reason: "DISABLED" });
  });

  it("a segment change alone changes the next evaluation of every flag using it", async () => {
    await updateSegment({ ctx, input: { namespace: "checkout", segmentKey: "beta", constraints: [{ contextName: "plan", operator: "IN", values: ["beta", "free"] }] } });
    await waitFor(() => server.hub.segment("prod", "checkout", "beta")?.version === 2, "segment change in the hub");
    expect(await evaluate("theme", { plan: "free" })).toMatchObject({ value: "beta-page", reason: "TARGETING_MATCH" });
  });
});
