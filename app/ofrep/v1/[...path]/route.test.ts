import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { createSdkKey } from "@/lib/sdk-keys/create-sdk-key";
import { createTestEnv, waitFor, type TestEnv, useAsProcessServices } from "@/tests/support/test-env";
import { expectOfrepResponse } from "@/tests/ofrep/ofrep-schemas";
import { flagRevision, putFlag, seedScopes } from "@/tests/support/stream-server/fixtures";

/**
 * OFREP on the Next.js transport: the catch-all route handler, called the way Next.js calls it,
 * answers like the worker (same lib/ofrep core): evaluation, bulk with ETag/304, CORS preflight,
 * and the event stream's refetchEvaluation on a change.
 */
let env: TestEnv;
let route: typeof import("./route");
let key: string;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web", "api"] });
  useAsProcessServices(env);
  route = await import("./route");
  key = (await createSdkKey({ ctx: { db: env.db, actor: SYSTEM_ACTOR }, input: { name: "spa", environment: "prod", namespaces: ["web"], kind: "client", allowedOrigins: ["https://app.example"] } })).key;
});
afterAll(async () => {
  const { getProcessOfrep } = await import("@/lib/ofrep/process-ofrep");
  const { getProcessDelivery } = await import("@/lib/delivery/process-delivery");
  getProcessOfrep().close();
  const { core, hub } = getProcessDelivery();
  core.close();
  await hub.stop();
  await env.cleanup();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  route.POST(new Request(`http://localhost${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) }));

describe("OFREP on the Next.js route handler", () => {
  it("evaluates by namespace/key, serves bulk with an ETag and 304, and refuses other scopes", async () => {
    await putFlag(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" }, 1, "blue", "string");
    await putFlag(env.etcd.root, { environment: "prod", namespace: "api", key: "secret" }, 1, true);
    // Both writes applied by this process's hub before anything is asserted (it trails etcd by ms).
    const rev = await flagRevision(env.etcd.root, { environment: "prod", namespace: "api", key: "secret" });
    const { getProcessDelivery } = await import("@/lib/delivery/process-delivery");
    await waitFor(() => getProcessDelivery().hub.ready && getProcessDelivery().hub.currentRevision >= rev, "the route's hub to apply both flags");
    const single = await post("/ofrep/v1/evaluate/flags/web/banner", { context: { targetingKey: "u" } });
    expect(single.status).toBe(200);
    const body = await single.json();
    expectOfrepResponse("single", 200, body);
    expect(body).toMatchObject({ key: "web/banner", value: "blue", reason: "STATIC" });
    const hidden = await post("/ofrep/v1/evaluate/flags/api%2Fsecret", { context: {} });
    expect(hidden.status).toBe(404);
    expectOfrepResponse("single", 404, await hidden.json());
    const bulk = await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u" } }, { origin: "https://app.example" });
    expect(bulk.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const bulkBody = await bulk.json();
    expectOfrepResponse("bulk", 200, bulkBody);
    expect(bulkBody.flags.map((f: { key: string }) => f.key)).toEqual(["web/banner"]);
    const again = await post("/ofrep/v1/evaluate/flags", { context: { targetingKey: "u" } }, { "if-none-match": bulk.headers.get("etag")! });
    expect(again.status).toBe(304);
    const pre = await route.OPTIONS(new Request("http://localhost/ofrep/v1/evaluate/flags", { method: "OPTIONS", headers: { origin: "https://app.example" } }));
    expect(pre.status).toBe(204);
  });

  it("streams refetchEvaluation on a change in scope", async () => {
    const res = await route.GET(new Request(`http://localhost/ofrep/v1/events?sdk_key=${encodeURIComponent(key)}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    await reader.read(); // retry + heartbeat
    await putFlag(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" }, 2, "green", "string");
    const rev = await flagRevision(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" });
    let text = "";
    while (!text.includes("refetchEvaluation")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(`id: ${rev}\nevent: message\ndata: `);
    expectOfrepResponse("event", 200, JSON.parse(text.split("data: ").pop()!.trim()));
  });
});
