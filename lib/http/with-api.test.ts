import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../db/schema";
import { registerActorResolver } from "../auth/resolve-actor";
import { startApiHarness, type ApiHarness } from "../../tests/support/api-test-harness";
import { MAX_BODY_BYTES } from "./read-json-body";

let api: ApiHarness;
let admin: string;
let viewer: string;
let editor: string;

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true, name: "root" });
  for (const key of ["development", "production"]) {
    expect((await api.call("POST", "/api/v1/environments", { token: admin, json: { key, name: key } })).status).toBe(201);
  }
  expect((await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "checkout", name: "Checkout" } })).status).toBe(201);
  const created = await api.call("POST", "/api/v1/flags", {
    token: admin,
    json: { namespace: "checkout", key: "new-flow", type: "boolean", values: { production: false } },
  });
  expect(created.status).toBe(201);
  viewer = await api.token({ role: "viewer", namespaces: ["checkout"] });
  editor = await api.token({ role: "editor", namespaces: ["checkout"] });
});

afterAll(async () => {
  await api?.close();
});

describe("authentication", () => {
  it("refuses a request without credentials with 401 and a Bearer challenge", async () => {
    const res = await api.call("GET", "/api/v1/flags");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.json.error.code).toBe("unauthenticated");
  });

  it("refuses unknown and malformed tokens with 401 invalid_token", async () => {
    const unknown = "mf_admin_" + "A".repeat(43);
    for (const token of [unknown, "not-a-token"]) {
      const res = await api.call("GET", "/api/v1/flags", { token });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("refuses a revoked token at once (same process forgets it on revoke)", async () => {
    const token = await api.token({ role: "viewer", namespaces: ["checkout"], name: "short-lived" });
    expect((await api.call("GET", "/api/v1/flags", { token })).status).toBe(200);
    const list = await api.call("GET", "/api/v1/api-tokens", { token: admin });
    const id = list.json.tokens.find((t: { name: string }) => t.name === "short-lived").id;
    const revoked = await api.call("DELETE", `/api/v1/api-tokens/${id}?reason=leaked`, { token: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).not.toBeNull();
    expect((await api.call("GET", "/api/v1/flags", { token })).status).toBe(401);
  });
});

describe("authorisation: rejected writes change nothing", () => {
  it("a viewer token cannot write (403) and no row anywhere changes", async () => {
    const before = await api.counts();
    const attempts = [
      api.call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token: viewer, json: { value: true } }),
      api.call("PATCH", "/api/v1/flags/checkout/new-flow", { token: viewer, json: { description: "x" } }),
      api.call("DELETE", "/api/v1/flags/checkout/new-flow", { token: viewer }),
      api.call("POST", "/api/v1/flags", { token: viewer, json: { namespace: "checkout", key: "sneaky", type: "boolean" } }),
      api.call("POST", "/api/v1/namespaces", { token: viewer, json: { key: "mine", name: "Mine" } }),
      api.call("POST", "/api/v1/api-tokens", { token: viewer, json: { name: "escalate", role: "admin", namespaces: ["checkout"] } }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403);
    expect(await api.counts()).toEqual(before);
    const flag = await api.call("GET", "/api/v1/flags/checkout/new-flow", { token: viewer });
    expect(flag.json.values.production.value).toBe(false);
  });

  it("an editor cannot mint a token with more power than it has", async () => {
    const before = await api.counts();
    const res = await api.call("POST", "/api/v1/api-tokens", { token: editor, json: { name: "x", role: "viewer", namespaces: ["checkout"] } });
    expect(res.status).toBe(403);
    expect(await api.counts()).toEqual(before);
  });
});

describe("input validation: 4xx naming the field, nothing written", () => {
  it("rejects invalid bodies, params and queries with 422 and field paths", async () => {
    const before = await api.counts();
    const cases: [string, string, unknown, string][] = [
      ["POST", "/api/v1/flags", { namespace: "checkout", key: "Bad Key!", type: "boolean" }, "key"],
      ["POST", "/api/v1/flags", { namespace: "checkout", key: "ok", type: "colour" }, "type"],
      ["POST", "/api/v1/flags", { namespace: "checkout", key: "ok", type: "boolean", extra: 1 }, "(body)"],
      ["PUT", "/api/v1/flags/checkout/new-flow/values/production", { value: "yes" }, "value"],
      ["PUT", "/api/v1/flags/checkout/new-flow/values/production", {}, "value"],
      ["PUT", "/api/v1/flags/checkout/new-flow/values/production", { value: true, expectedVersion: 0 }, "expectedVersion"],
      ["PUT", "/api/v1/flags/checkout/NEW_FLOW/values/production", { value: true }, "key"],
      ["POST", "/api/v1/flags/checkout/new-flow/archive", {}, "archived"],
      ["POST", "/api/v1/api-tokens", { name: "t", role: "viewer", namespaces: ["nope"] }, "namespaces"],
      ["POST", "/api/v1/api-tokens", { name: "t", role: "viewer", namespaces: null, superAdmin: true }, "role"],
    ];
    for (const [method, url, json, field] of cases) {
      const res = await api.call(method, url, { token: admin, json });
      expect(res.status, `${method} ${url} ${JSON.stringify(json)}`).toBe(422);
      expect(res.json.error.issues.map((i: { path: string }) => i.path), JSON.stringify(res.json)).toContain(field);
    }
    for (const [url, field] of [
      ["/api/v1/flags?limit=0", "limit"],
      ["/api/v1/flags?archived=maybe", "archived"],
      ["/api/v1/flags?namepace=checkout", "(body)"],
    ] as const) {
      const res = await api.call("GET", url, { token: admin });
      expect(res.status, url).toBe(422);
      expect(JSON.stringify(res.json.error.issues)).toContain(field === "(body)" ? "namepace" : field);
    }
    expect(await api.call("DELETE", "/api/v1/api-tokens/abc", { token: admin }).then((r) => r.status)).toBe(422);
    expect(await api.counts()).toEqual(before);
  });

  it("answers malformed JSON with 400, a wrong content type with 400, and oversized bodies with 413", async () => {
    const before = await api.counts();
    const url = "/api/v1/flags/checkout/new-flow/values/production";
    const malformed = await api.call("PUT", url, { token: admin, body: '{"value": tru' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toMatch(/Malformed JSON/);
    const form = await api.call("PUT", url, { token: admin, body: "value=true", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(400);
    expect(form.json.error.message).toMatch(/application\/json/);

    const big = JSON.stringify({ value: true, reason: "x".repeat(MAX_BODY_BYTES) });
    const declared = await api.call("PUT", url, { token: admin, body: big });
    expect(declared.status).toBe(413);
    // Chunked upload without Content-Length: cut off while streaming.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 10) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await api.call("PUT", url, { token: admin, body: stream });
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(10); // stopped reading early
    expect(await api.counts()).toEqual(before);
  });
});

describe("responses", () => {
  it("echoes the caller's request id and records it and the client IP in the audit row", async () => {
    const res = await api.call("PUT", "/api/v1/flags/checkout/new-flow/values/development", {
      token: editor,
      json: { value: true, reason: "trace test" },
      headers: { "x-request-id": "trace-abc-123", "x-forwarded-for": "203.0.113.9, 10.0.0.1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
    const [row] = await api.env.db.select().from(auditEvents).where(eq(auditEvents.traceId, "trace-abc-123"));
    expect(row).toMatchObject({ ip: "203.0.113.9", actorType: "api_token", action: "flag_value.set", reason: "trace test" });
    const other = await api.call("GET", "/api/v1/flags", { token: admin });
    expect(other.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("returns 409 with the current version when expectedVersion is stale (value, definition, delete)", async () => {
    const flag = (await api.call("GET", "/api/v1/flags/checkout/new-flow", { token: admin })).json;
    const stale = await api.call("PUT", "/api/v1/flags/checkout/new-flow/values/production", {
      token: admin,
      json: { value: true, expectedVersion: flag.values.production.version + 5 },
    });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details.currentVersion).toBe(flag.values.production.version);
    const patch = await api.call("PATCH", "/api/v1/flags/checkout/new-flow", { token: admin, json: { description: "d", expectedVersion: flag.version + 1 } });
    expect(patch.status).toBe(409);
    expect(patch.json.error.details.currentVersion).toBe(flag.version);
    const del = await api.call("DELETE", `/api/v1/flags/checkout/new-flow?expectedVersion=${flag.version + 1}`, { token: admin });
    expect(del.status).toBe(409);
    expect(del.json.error.details.currentVersion).toBe(flag.version);
  });

  it("lists flags with filters and a cursor", async () => {
    for (const key of ["a-one", "a-two", "a-three"]) {
      await api.call("POST", "/api/v1/flags", { token: admin, json: { namespace: "checkout", key, type: "number", tags: ["batch"] } });
    }
    const page1 = await api.call("GET", "/api/v1/flags?namespace=checkout&tag=batch&limit=2", { token: viewer });
    expect(page1.status).toBe(200);
    expect(page1.json.flags.map((f: { key: string }) => f.key)).toEqual(["a-one", "a-three"]);
    const page2 = await api.call("GET", `/api/v1/flags?namespace=checkout&tag=batch&limit=2&cursor=${page1.json.nextCursor}`, { token: viewer });
    expect(page2.json.flags.map((f: { key: string }) => f.key)).toEqual(["a-two"]);
    expect(page2.json.nextCursor).toBeNull();
    const booleans = await api.call("GET", "/api/v1/flags?type=boolean&archived=false", { token: viewer });
    expect(booleans.json.flags.map((f: { key: string }) => f.key)).toEqual(["new-flow"]);
  });
});

describe("cookie-authenticated requests (CSRF)", () => {
  it("accept same-origin writes and refuse cross-site ones", async () => {
    // A stand-in cookie credential; the real console session resolver is registered the same way.
    const unregister = registerActorResolver({
      name: "test-cookie",
      usesCookies: true,
      resolve: async (req) => (req.headers.get("cookie") === "test=admin" ? { type: "system", id: null, name: "cookie-admin", isSuperAdmin: true, grants: [] } : null),
    });
    // Header credentials are judged first: a bad token next to a good cookie is refused, never "use the cookie instead".
    expect((await api.call("GET", "/api/v1/namespaces", { headers: { cookie: "test=admin", authorization: "Bearer mf_admin_not-a-token" } })).status).toBe(401);
    const url = "/api/v1/namespaces";
    const cross = await api.call("POST", url, { json: { key: "csrf", name: "x" }, headers: { cookie: "test=admin", "sec-fetch-site": "cross-site" } });
    expect(cross.status).toBe(403);
    const noOrigin = await api.call("POST", url, { json: { key: "csrf", name: "x" }, headers: { cookie: "test=admin" } });
    expect(noOrigin.status).toBe(403);
    const read = await api.call("GET", url, { headers: { cookie: "test=admin", "sec-fetch-site": "cross-site" } });
    expect(read.status).toBe(200);
    const same = await api.call("POST", url, { json: { key: "csrf", name: "x" }, headers: { cookie: "test=admin", origin: "http://mizuflow.test" } });
    expect(same.status).toBe(201);
    unregister();
    expect((await api.call("GET", url, { headers: { cookie: "test=admin" } })).status).toBe(401);
  });
});

describe("health and metrics", () => {
  it("health reports both dependencies", async () => {
    const res = await api.call("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "ok", checks: { database: { ok: true }, etcd: { ok: true } } });
  });

  it("metrics need a super-admin unless METRICS_PUBLIC=on, and carry HTTP durations by route", async () => {
    expect((await api.call("GET", "/api/metrics")).status).toBe(401);
    expect((await api.call("GET", "/api/metrics", { token: viewer })).status).toBe(403);
    const res = await api.call("GET", "/api/metrics", { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    expect(res.text).toMatch(/mizuflow_http_request_seconds_count\{route="\/api\/v1\/flags\/\[namespace\]\/\[key\]\/values\/\[environment\]",method="PUT",status="200"\}/);
    expect(res.text).toMatch(/mizuflow_http_request_seconds_count\{route="\/api\/v1\/flags",method="GET",status="401"\}/);
  });
});
