import http from "node:http";
import type { AddressInfo } from "node:net";
import { count, sql } from "drizzle-orm";
import type { MySqlTable } from "drizzle-orm/mysql-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../lib/db/schema";
import { ALL_HANDLERS, ALL_ROUTES } from "../../lib/http/api-registry";
import { createNodeApiHandler } from "../../lib/http/node-api-adapter";
import { startApiHarness, type ApiHarness, type ApiResponse, type CallOptions } from "../support/api-test-harness";
import { fetchApi } from "../support/fetch-api";

// Guarantee: every admin API write (every POST/PUT/PATCH/DELETE in the registry) honours
// Idempotency-Key on both transports (the Next route files and the worker's node:http adapter,
// which share withApi): the same key and request replays the first answer (idempotent-replayed:
// true) and writes nothing (no row, audit or outbox count moves), the same key with another
// request is 422 idempotency_key_reused and writes nothing, and concurrent requests with one key
// write once. Creates that return a secret replay 409 without it (the secret is never stored).

let api: ApiHarness;
let admin: string;
let server: http.Server;
let nodeBase: string;

type Call = (method: string, path: string, opts?: CallOptions) => Promise<ApiResponse>;
const next: Call = (m, p, o) => api.call(m, p, o);
const worker: Call = (method, path, opts) => fetchApi(nodeBase, method, path, opts);

const TABLES: Record<string, MySqlTable> = {
  namespaces: schema.namespaces,
  environments: schema.environments,
  flags: schema.flags,
  flagValues: schema.flagValues,
  segments: schema.segments,
  apiTokens: schema.apiTokens,
  sdkKeys: schema.sdkKeys,
  users: schema.users,
  roleMemberships: schema.roleMemberships,
  auditEvents: schema.auditEvents,
  outboxEvents: schema.outboxEvents,
};
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(TABLES)) out[name] = (await api.env.db.select({ n: count() }).from(t))[0]!.n;
  // Changes that move no row count (an update, a revoke) still move these.
  const [[row]] = (await api.env.db.execute(sql`SELECT COALESCE(SUM(version), 0) AS v FROM flag_values`)) as unknown as [[{ v: string }]];
  out.valueVersions = Number(row.v);
  return out;
}

interface Req {
  method: string;
  path: string;
  json?: unknown;
}
interface Case {
  name: string;
  /** The write, and another request (other body or query) used with the same key. */
  req: (s: Fixture) => Req;
  other: (s: Fixture) => Req;
  /** Replay answers 409 without the secret instead of the first answer. */
  secret?: string;
}
interface Fixture {
  s: string;
  ns: string;
  tokenId: number;
  sdkKeyId: number;
  userId: number;
}

const boolFlag = (ns: string, key: string) => ({ namespace: ns, key, type: "boolean" });
const CASES: Case[] = [
  { name: "create namespace", req: (f) => ({ method: "POST", path: "/api/v1/namespaces", json: { key: `made-${f.s}`, name: "Made" } }), other: (f) => ({ method: "POST", path: "/api/v1/namespaces", json: { key: `made-${f.s}`, name: "Other" } }) },
  { name: "update namespace", req: (f) => ({ method: "PATCH", path: `/api/v1/namespaces/${f.ns}`, json: { name: "Renamed" } }), other: (f) => ({ method: "PATCH", path: `/api/v1/namespaces/${f.ns}`, json: { name: "Other" } }) },
  { name: "delete namespace", req: (f) => ({ method: "DELETE", path: `/api/v1/namespaces/empty-${f.s}` }), other: (f) => ({ method: "DELETE", path: `/api/v1/namespaces/empty-${f.s}?reason=again` }) },
  { name: "create environment", req: (f) => ({ method: "POST", path: "/api/v1/environments", json: { key: `env-${f.s}`, name: "Env" } }), other: (f) => ({ method: "POST", path: "/api/v1/environments", json: { key: `env-${f.s}`, name: "Other" } }) },
  { name: "create flag", req: (f) => ({ method: "POST", path: "/api/v1/flags", json: boolFlag(f.ns, "made") }), other: (f) => ({ method: "POST", path: "/api/v1/flags", json: { ...boolFlag(f.ns, "made"), type: "number" } }) },
  { name: "update flag", req: (f) => ({ method: "PATCH", path: `/api/v1/flags/${f.ns}/main`, json: { description: "one" } }), other: (f) => ({ method: "PATCH", path: `/api/v1/flags/${f.ns}/main`, json: { description: "two" } }) },
  { name: "archive flag", req: (f) => ({ method: "POST", path: `/api/v1/flags/${f.ns}/old/archive`, json: { archived: true } }), other: (f) => ({ method: "POST", path: `/api/v1/flags/${f.ns}/old/archive`, json: { archived: false } }) },
  { name: "delete flag", req: (f) => ({ method: "DELETE", path: `/api/v1/flags/${f.ns}/gone` }), other: (f) => ({ method: "DELETE", path: `/api/v1/flags/${f.ns}/gone?expectedVersion=9` }) },
  { name: "set value", req: (f) => ({ method: "PUT", path: `/api/v1/flags/${f.ns}/main/values/production`, json: { value: true } }), other: (f) => ({ method: "PUT", path: `/api/v1/flags/${f.ns}/main/values/production`, json: { value: false } }) },
  { name: "set values (bulk)", req: (f) => ({ method: "POST", path: "/api/v1/value-changes", json: { changes: [{ namespace: f.ns, key: "main", environment: "production", value: false }] } }), other: (f) => ({ method: "POST", path: "/api/v1/value-changes", json: { changes: [{ namespace: f.ns, key: "main", environment: "production", value: true }] } }) },
  { name: "rollback value", req: (f) => ({ method: "POST", path: `/api/v1/flags/${f.ns}/main/values/production/rollback`, json: { toVersion: 1 } }), other: (f) => ({ method: "POST", path: `/api/v1/flags/${f.ns}/main/values/production/rollback`, json: { toVersion: 2 } }) },
  { name: "set targeting", req: (f) => ({ method: "PUT", path: `/api/v1/namespaces/${f.ns}/flags/main/environments/production/targeting`, json: { rules: [{ segments: ["beta"], serve: { value: true } }] } }), other: (f) => ({ method: "PUT", path: `/api/v1/namespaces/${f.ns}/flags/main/environments/production/targeting`, json: { rules: [] } }) },
  // The fixture's value writes and the value rollback above leave production at version 5; the rules save makes 6.
  { name: "rollback targeting", req: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/flags/main/environments/production/targeting/rollback`, json: { toVersion: 5 } }), other: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/flags/main/environments/production/targeting/rollback`, json: { toVersion: 6 } }) },
  { name: "create segment", req: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/segments`, json: { key: "made", constraints: [] } }), other: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/segments`, json: { key: "made", name: "Other", constraints: [] } }) },
  { name: "update segment", req: (f) => ({ method: "PATCH", path: `/api/v1/namespaces/${f.ns}/segments/beta`, json: { constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }] } }), other: (f) => ({ method: "PATCH", path: `/api/v1/namespaces/${f.ns}/segments/beta`, json: { constraints: [] } }) },
  { name: "rollback segment", req: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/segments/beta/rollback`, json: { toVersion: 1 } }), other: (f) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/segments/beta/rollback`, json: { toVersion: 2 } }) },
  { name: "delete segment", req: (f) => ({ method: "DELETE", path: `/api/v1/namespaces/${f.ns}/segments/unused` }), other: (f) => ({ method: "DELETE", path: `/api/v1/namespaces/${f.ns}/segments/unused?expectedVersion=9` }) },
  { name: "import (Unleash)", req: (f) => ({ method: "POST", path: `/api/v1/import/unleash?environment=production&namespace=${f.ns}`, json: { version: 2, features: [{ name: "imported", enabled: true, strategies: [] }] } }), other: (f) => ({ method: "POST", path: `/api/v1/import/unleash?environment=production&namespace=${f.ns}`, json: { version: 2, features: [{ name: "imported", enabled: false, strategies: [] }] } }) },
  { name: "create API token", secret: "token", req: (f) => ({ method: "POST", path: "/api/v1/api-tokens", json: { name: `made-${f.s}`, role: "viewer", namespaces: [f.ns] } }), other: (f) => ({ method: "POST", path: "/api/v1/api-tokens", json: { name: `made-${f.s}`, role: "editor", namespaces: [f.ns] } }) },
  { name: "revoke API token", req: (f) => ({ method: "DELETE", path: `/api/v1/api-tokens/${f.tokenId}` }), other: (f) => ({ method: "DELETE", path: `/api/v1/api-tokens/${f.tokenId}?reason=again` }) },
  { name: "create SDK key", secret: "key", req: (f) => ({ method: "POST", path: "/api/v1/sdk-keys", json: { name: `made-${f.s}`, environment: "production", namespaces: [f.ns] } }), other: (f) => ({ method: "POST", path: "/api/v1/sdk-keys", json: { name: `other-${f.s}`, environment: "production", namespaces: [f.ns] } }) },
  { name: "revoke SDK key", req: (f) => ({ method: "DELETE", path: `/api/v1/sdk-keys/${f.sdkKeyId}` }), other: (f) => ({ method: "DELETE", path: `/api/v1/sdk-keys/${f.sdkKeyId}?reason=again` }) },
  { name: "create user", req: (f) => ({ method: "POST", path: "/api/v1/users", json: { email: `made-${f.s}@example.com`, name: "Made" } }), other: (f) => ({ method: "POST", path: "/api/v1/users", json: { email: `made-${f.s}@example.com`, name: "Other" } }) },
  { name: "update user", req: (f) => ({ method: "PATCH", path: `/api/v1/users/${f.userId}`, json: { name: "Renamed" } }), other: (f) => ({ method: "PATCH", path: `/api/v1/users/${f.userId}`, json: { name: "Other" } }) },
  { name: "set password", req: (f) => ({ method: "PUT", path: `/api/v1/users/${f.userId}/password`, json: { password: "correct horse battery staple 1" } }), other: (f) => ({ method: "PUT", path: `/api/v1/users/${f.userId}/password`, json: { password: "correct horse battery staple 2" } }) },
  { name: "grant role", req: (f) => ({ method: "PUT", path: `/api/v1/users/${f.userId}/roles`, json: { namespace: f.ns, role: "viewer" } }), other: (f) => ({ method: "PUT", path: `/api/v1/users/${f.userId}/roles`, json: { namespace: f.ns, role: "editor" } }) },
  { name: "revoke role", req: (f) => ({ method: "DELETE", path: `/api/v1/users/${f.userId}/roles?namespace=${f.ns}` }), other: (f) => ({ method: "DELETE", path: `/api/v1/users/${f.userId}/roles?namespace=${f.ns}&reason=again` }) },
  { name: "retry dead letters", req: () => ({ method: "POST", path: "/api/v1/outbox/dead-letters/retry", json: {} }), other: () => ({ method: "POST", path: "/api/v1/outbox/dead-letters/retry", json: { reason: "again" } }) },
];

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  const handle = createNodeApiHandler(ALL_HANDLERS);
  server = http.createServer((req, res) => {
    void handle(req, res).then((done) => {
      if (!done) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  nodeBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await next("POST", "/api/v1/environments", { token: admin, json: { key: "production", name: "Production" } })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await api?.close();
});

/** What the cases act on, made without keys (names carry the transport's suffix). */
async function fixture(call: Call, s: string): Promise<Fixture> {
  const ns = `ns-${s}`;
  const ok = async (m: string, p: string, json?: unknown) => {
    const r = await call(m, p, { token: admin, json });
    expect(r.status, `${m} ${p}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  await ok("POST", "/api/v1/namespaces", { key: ns, name: ns });
  await ok("POST", "/api/v1/namespaces", { key: `empty-${s}`, name: "Empty" });
  for (const key of ["main", "old", "gone"]) await ok("POST", "/api/v1/flags", boolFlag(ns, key));
  await ok("PUT", `/api/v1/flags/${ns}/main/values/production`, { value: true });
  for (const key of ["beta", "unused"]) await ok("POST", `/api/v1/namespaces/${ns}/segments`, { key, constraints: [] });
  const token = await ok("POST", "/api/v1/api-tokens", { name: `victim-${s}`, role: "viewer", namespaces: [ns] });
  const sdkKey = await ok("POST", "/api/v1/sdk-keys", { name: `victim-${s}`, environment: "production", namespaces: [ns] });
  const user = await ok("POST", "/api/v1/users", { email: `user-${s}@example.com`, name: "User" });
  // One dead outbox row for the retry endpoint.
  await api.env.db.execute(sql`UPDATE outbox_events SET status = 'dead' ORDER BY id DESC LIMIT 1`);
  return { s, ns, tokenId: token.apiToken.id, sdkKeyId: sdkKey.sdkKey.id, userId: user.id };
}

it("the table covers every write endpoint of the admin API", () => {
  const writes = ALL_ROUTES.filter((r) => r.method !== "GET");
  expect(writes.every((r) => r.idempotent)).toBe(true);
  expect(CASES.length).toBe(writes.length);
  const f: Fixture = { s: "x", ns: "n", tokenId: 1, sdkKeyId: 1, userId: 1 };
  const covered = new Set(CASES.map((c) => `${c.req(f).method} ${c.req(f).path.split("?")[0]!.split("/").length}`));
  for (const r of writes) expect(covered.has(`${r.method} ${r.route.split("/").length}`), `${r.method} ${r.route}`).toBe(true);
});

for (const [transport, call, s] of [["Next route handlers", next, "n"], ["worker node:http adapter", worker, "w"]] as const) {
  describe(`Idempotency-Key on every admin write (${transport})`, () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture(call, s);
    }, 60_000);

    it.each(CASES.map((c) => [c.name, c] as const))("%s: a retry replays the first answer and writes nothing; another request with the key is 422", async (_name, c) => {
      const key = `${s}-${c.name}`.replaceAll(" ", "_");
      const send = (r: Req) => call(r.method, r.path, { token: admin, json: r.json, headers: { "Idempotency-Key": key } });
      const before = await counts();
      const first = await send(c.req(f));
      expect(first.status, first.text).toBeLessThan(300);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      const written = await counts();
      expect(written.auditEvents, "the first request wrote (and audited)").toBeGreaterThan(before.auditEvents!);

      const again = await send(c.req(f));
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      if (c.secret) {
        expect(again.status).toBe(409);
        expect(again.json.error.details.alreadyCreated).toBe(true);
        expect(again.text).not.toContain(first.json[c.secret]);
        const stored = await api.env.db.execute(sql`SELECT response FROM idempotency_keys WHERE idem_key = ${key}`);
        expect(JSON.stringify(stored)).not.toContain(first.json[c.secret]);
      } else {
        expect(again.status).toBe(first.status);
        expect(again.json).toEqual(first.json);
      }
      expect(await counts()).toEqual(written);

      const reused = await send(c.other(f));
      expect(reused.status, reused.text).toBe(422);
      expect(reused.json.error.code).toBe("idempotency_key_reused");
      expect(await counts()).toEqual(written);
    });

    it.each([
      ["create flag", (f: Fixture) => ({ method: "POST", path: "/api/v1/flags", json: boolFlag(f.ns, "raced") })],
      ["create segment", (f: Fixture) => ({ method: "POST", path: `/api/v1/namespaces/${f.ns}/segments`, json: { key: "raced", constraints: [] } })],
      ["update flag", (f: Fixture) => ({ method: "PATCH", path: `/api/v1/flags/${f.ns}/main`, json: { description: "raced" } })],
      ["create API token", (f: Fixture) => ({ method: "POST", path: "/api/v1/api-tokens", json: { name: `raced-${f.s}`, role: "viewer", namespaces: [f.ns] } })],
    ] as const)("%s: concurrent requests with one key write once", async (name, req) => {
      const r = req(f);
      const before = await counts();
      const all = await Promise.all(
        Array.from({ length: 5 }, () => call(r.method, r.path, { token: admin, json: r.json, headers: { "Idempotency-Key": `${s}-race-${name}`.replaceAll(" ", "_") } })),
      );
      const fresh = all.filter((a) => a.headers.get("idempotent-replayed") === null);
      expect(fresh.length, all.map((a) => `${a.status} ${a.text}`).join("\n")).toBe(1);
      expect(fresh[0]!.status).toBeLessThan(300);
      const replays = all.filter((a) => a !== fresh[0]);
      if (name === "create API token") expect(replays.map((a) => a.status)).toEqual([409, 409, 409, 409]);
      else expect(new Set(replays.map((a) => a.text))).toEqual(new Set([fresh[0]!.text]));
      expect((await counts()).auditEvents).toBe(before.auditEvents! + 1);
    });
  });
}
