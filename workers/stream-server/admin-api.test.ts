import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, eq } from "drizzle-orm";
import { auditEvents } from "../../lib/db/schema";
import { registerActorResolver } from "../../lib/auth/resolve-actor";
import { ALL_HANDLERS } from "../../lib/http/api-registry";
import { loadHandler, startApiHarness, type ApiHarness, type CallOptions } from "../../tests/support/api-test-harness";
import { fetchApi } from "../../tests/support/fetch-api";
import { ALL_ROUTES } from "../../lib/http/api-registry";
import { flagKey } from "../../lib/etcd/keys";
import { waitFor } from "../../tests/support/test-env";
import { startStreamServer, type StreamServer } from "./server";

// The admin API served by the sidecar (node-api-adapter.ts) runs the very handlers of the Next.js
// route files; these tests check the wiring: routing, auth, bodies, errors, headers.
let h: ApiHarness;
let server: StreamServer;
let base: string;
let token: string;

const call = (method: string, path: string, opts?: CallOptions) => fetchApi(base, method, path, opts);

beforeAll(async () => {
  h = await startApiHarness();
  token = await h.token({ role: "admin", namespaces: null, superAdmin: true });
  server = await startStreamServer({ db: h.env.db, root: h.env.etcd.root, rateLimit: false, adminApi: ALL_HANDLERS });
  base = `http://127.0.0.1:${server.port}`;
  await call("POST", "/api/v1/environments", { token, json: { key: "production", name: "Production" } });
  await call("POST", "/api/v1/namespaces", { token, json: { key: "checkout", name: "Checkout" } });
  await call("POST", "/api/v1/flags", { token, json: { namespace: "checkout", key: "new-flow", type: "boolean" } });
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

describe("admin API on the sidecar", () => {
  it("mounts every documented /api/v1 route (health and metrics stay off the public port), with the same handler object the Next.js route file exports", async () => {
    expect(ALL_HANDLERS.map((x) => `${x.spec.method} ${x.spec.route}`).sort()).toEqual(
      ALL_ROUTES.filter((s) => s.route.startsWith("/api/v1/")).map((s) => `${s.method} ${s.route}`).sort(),
    );
    for (const handler of ALL_HANDLERS) expect(await loadHandler(handler.spec)).toBe(handler);
  });

  it("sets a value with a bearer token and the change is in etcd right after the response", async () => {
    const res = await call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token, json: { value: true } });
    expect(res.status).toBe(200);
    expect(res.json.values.production).toMatchObject({ value: true, version: 2 });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const doc = await waitFor(
      async () => {
        const raw = await h.env.etcd.root.get(flagKey({ environment: "production", namespace: "checkout", key: "new-flow" })).string();
        return raw && JSON.parse(raw).version === 2 ? JSON.parse(raw) : null;
      },
      "etcd to hold version 2",
    );
    expect(doc.value).toBe(true);
    // The audit row names the token and the peer address (no proxy header was sent).
    const [audit] = await h.env.db.select().from(auditEvents).where(eq(auditEvents.action, "flag_value.set")).orderBy(desc(auditEvents.id)).limit(1);
    expect(audit).toMatchObject({ actorType: "api_token", ip: "127.0.0.1", traceId: res.headers.get("x-request-id") });
  });

  it("answers like the app: same status and body for reads, 401, 422 with the field, 404", async () => {
    const viaNext = await h.call("GET", "/api/v1/flags/checkout/new-flow", { token });
    const viaSidecar = await call("GET", "/api/v1/flags/checkout/new-flow", { token });
    expect(viaSidecar.status).toBe(200);
    expect(viaSidecar.json).toEqual(viaNext.json);

    expect((await call("GET", "/api/v1/flags")).status).toBe(401);
    const before = await h.counts();
    const bad = await call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token, json: { value: "yes" } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.issues[0]).toMatchObject({ path: "value" });
    const badKey = await call("PUT", "/api/v1/flags/checkout/Bad%20Key/values/production", { token, json: { value: true } });
    expect(badKey.status).toBe(422);
    const malformed = await call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await h.counts()).toEqual(before);
    expect((await call("GET", "/api/v1/flags/checkout/nope", { token })).status).toBe(404);
    const unknownPath = await call("GET", "/api/v1/nothing-here", { token });
    expect(unknownPath.status).toBe(404);
  });

  it("refuses an unsupported method with 405 and the allowed ones", async () => {
    const res = await call("POST", "/api/v1/flags/checkout/new-flow", { token, json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PATCH, DELETE");
  });

  it("never accepts a console session cookie: bearer tokens only", async () => {
    // A stand-in cookie credential, registered like the console session resolver is.
    const unregister = registerActorResolver({
      name: "test-cookie",
      usesCookies: true,
      resolve: async (req) => (req.headers.get("cookie") === "test=admin" ? { type: "system", id: null, name: "cookie-admin", isSuperAdmin: true, grants: [] } : null),
    });
    try {
      expect((await h.call("GET", "/api/v1/flags", { headers: { cookie: "test=admin" } })).status).toBe(200);
      expect((await call("GET", "/api/v1/flags", { headers: { cookie: "test=admin" } })).status).toBe(401);
    } finally {
      unregister();
    }
  });

  it("refuses an oversized body with 413 without writing", async () => {
    const before = await h.counts();
    const res = await call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token, body: JSON.stringify({ value: "x".repeat(300_000) }) });
    expect(res.status).toBe(413);
    // Chunked, no Content-Length: cut off once past the limit, same answer.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 8) c.enqueue(chunk);
        else c.close();
      },
    });
    const chunked = await fetch(base + "/api/v1/flags/checkout/new-flow/values/production", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await h.counts()).toEqual(before);
    expect((await call("GET", "/api/v1/flags/checkout/new-flow", { token })).status).toBe(200);
  });
});
