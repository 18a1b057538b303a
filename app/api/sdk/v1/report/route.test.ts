import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raiseEtcdRevision } from "@/tests/support/etcd-revision";
import { createTestEnv, type TestEnv, useAsProcessServices } from "@/tests/support/test-env";
import { newSdkKey, seedScopes } from "@/tests/support/stream-server/fixtures";

/**
 * The Next.js report route handler, called the way Next.js calls it (a web Request in, a Response
 * out), on the per-process delivery core that getDb()/getEtcd() feed. Same core as the sidecar's
 * (workers/stream-server/report.test.ts has the full validation table).
 */
let env: TestEnv;
let route: typeof import("./route");
let delivery: typeof import("@/lib/delivery/process-delivery");

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web", "api"] });
  useAsProcessServices(env);
  route = await import("./route");
  delivery = await import("@/lib/delivery/process-delivery");
  await raiseEtcdRevision(env.etcd.root, 10); // reports above etcd's revision are clamped
});

afterAll(async () => {
  const { core, hub } = delivery.getProcessDelivery();
  await core.close();
  await hub.stop();
  await env.cleanup();
});

const report = (key: string | null, body: unknown, viaQuery = false) =>
  route.POST(
    new Request(`http://localhost/api/sdk/v1/report${viaQuery && key ? `?sdk_key=${key}` : ""}`, {
      method: "POST",
      headers: { "content-type": viaQuery ? "text/plain;charset=UTF-8" : "application/json", ...(key && !viaQuery ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    }),
  );

describe("Next.js SDK report route", () => {
  it("guarantee: 204 and the client is recorded with its key's environment and scope; bad body 422 and unknown key 401 record nothing", async () => {
    const table = delivery.getProcessDelivery().core.reports.table;
    const { key } = await newSdkKey(env.db, "prod", ["web"]);
    const ok = await report(key, { clientId: "next-client-1", revision: 9, state: "ready", sdk: "test" });
    expect(ok.status).toBe(204);
    expect(await ok.text()).toBe("");
    expect(table.list()).toEqual([expect.objectContaining({ environment: "prod", scope: "web", revision: 9 })]);
    expect((await report(key, { clientId: "next-client-2", revision: 3, state: "ready", sdk: "test" }, true)).status).toBe(204);

    const bad = await report(key, { clientId: "next-client-3", revision: "9", state: "ready", sdk: "test" });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(["revision"]);
    const unknown = await report(`mf_sdk_${"B".repeat(43)}`, { clientId: "next-client-4", revision: 1, state: "ready", sdk: "test" });
    expect(unknown.status).toBe(401);
    expect(table.size).toBe(2);
  });

  it("answers the CORS preflight for POST from the request alone, echoing the origin", () => {
    const pre = route.OPTIONS(new Request("http://localhost/api/sdk/v1/report", { method: "OPTIONS", headers: { origin: "https://app.example" } }));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });

  it("guarantee: CORS per key as on the worker: a client key's listed origin is named and recorded, another origin 403 and not recorded, a server key *", async () => {
    const { createSdkKey } = await import("@/lib/sdk-keys/create-sdk-key");
    const { SYSTEM_ACTOR } = await import("@/lib/auth/actor");
    const table = delivery.getProcessDelivery().core.reports.table;
    const { key: clientKey } = await createSdkKey({ ctx: { db: env.db, actor: SYSTEM_ACTOR }, input: { name: "next-spa", environment: "prod", namespaces: ["web"], kind: "client", allowedOrigins: ["https://app.example"] } });
    const { key: serverKey } = await newSdkKey(env.db, "prod", ["web"]);
    const from = (key: string, clientId: string, origin: string) =>
      route.POST(new Request(`http://localhost/api/sdk/v1/report?sdk_key=${key}`, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8", origin }, body: JSON.stringify({ clientId, revision: 1, state: "ready", sdk: "test" }) }));
    const before = table.size;
    const ok = await from(clientKey, "next-cors-1", "https://app.example");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const refused = await from(clientKey, "next-cors-2", "https://evil.example");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const server = await from(serverKey, "next-cors-3", "https://evil.example");
    expect(server.status).toBe(204);
    expect(server.headers.get("access-control-allow-origin")).toBe("*");
    expect(table.size).toBe(before + 2);
  });
});
