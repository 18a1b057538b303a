import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor } from "../../lib/auth/session-actor";
import { ALL_HANDLERS } from "../../lib/http/api-registry";
import { startApiHarness, type ApiHarness } from "../support/api-test-harness";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { grantRole } from "../../lib/users/membership-verbs";
import { createUser, updateUser } from "../../lib/users/user-verbs";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";

/**
 * Issue 12 item 4 over both transports of the admin API: the Next.js route handlers and the
 * sidecar's node:http mount of the same handlers (lib/http + lib/auth). A token acts with at most
 * its creator's current rights (a demoted creator's token can read but no longer write; a disabled
 * creator's token is refused), and cannot mint a token that outlives it.
 */
let h: ApiHarness;
let server: StreamServer;
let ownerId: number;
let token: string;

type Call = (method: string, path: string, opts?: { token?: string; json?: unknown }) => Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
const viaNext: Call = (method, path, opts) => h.call(method, path, opts);
const viaSidecar: Call = async (method, path, opts = {}) => {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
};
const transports: [string, Call][] = [["Next.js routes", viaNext], ["sidecar admin API", viaSidecar]];

beforeAll(async () => {
  h = await startApiHarness();
  server = await startStreamServer({ db: h.env.db, root: h.env.etcd.root, rateLimit: false, adminApi: ALL_HANDLERS });
  const su = await h.token({ role: "admin", namespaces: null, superAdmin: true });
  await h.call("POST", "/api/v1/environments", { token: su, json: { key: "production", name: "Production" } });
  await h.call("POST", "/api/v1/namespaces", { token: su, json: { key: "checkout", name: "Checkout" } });
  await h.call("POST", "/api/v1/flags", { token: su, json: { namespace: "checkout", key: "new-flow", type: "boolean" } });
  ownerId = (await createUser({ ctx: h.env.ctx(), input: { email: "owner@example.test", name: "Owner" } })).id;
  await grantRole({ ctx: h.env.ctx(), input: { userId: ownerId, namespace: "checkout", role: "admin" } });
  const owner = (await loadUserActor(h.env.db, ownerId))!;
  token = (await createApiToken({ ctx: h.env.ctx(owner), input: { name: "deploy", role: "admin", namespaces: ["checkout"], expiresInDays: 30 } })).token;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await h?.close();
});

const setValue = (call: Call, value: boolean) => call("PUT", "/api/v1/flags/checkout/new-flow/values/production", { token, json: { value } });
const readFlag = (call: Call) => call("GET", "/api/v1/flags/checkout/new-flow", { token });

describe("API tokens are bounded by their creator, on both transports", () => {
  it("a token cannot mint a token that outlives it (422 naming expiresInDays), nor one without expiry", async () => {
    for (const [, call] of transports) {
      for (const json of [{ name: "forever", role: "viewer", namespaces: ["checkout"] }, { name: "longer", role: "viewer", namespaces: ["checkout"], expiresInDays: 31 }]) {
        const res = await call("POST", "/api/v1/api-tokens", { token, json });
        expect(res.status).toBe(422);
        expect(JSON.stringify(res.json)).toContain("expiresInDays");
      }
      expect((await call("POST", "/api/v1/api-tokens", { token, json: { name: "ok", role: "viewer", namespaces: ["checkout"], expiresInDays: 29 } })).status).toBe(201);
    }
  });

  it("writes while the creator is admin, only reads once the creator is a viewer, and is refused once the creator is disabled", async () => {
    for (const [, call] of transports) expect((await setValue(call, true)).status).toBe(200);
    await grantRole({ ctx: h.env.ctx(), input: { userId: ownerId, namespace: "checkout", role: "viewer" } });
    for (const [name, call] of transports) {
      expect([name, (await setValue(call, false)).status]).toEqual([name, 403]);
      expect([name, (await readFlag(call)).status]).toEqual([name, 200]);
    }
    await updateUser({ ctx: h.env.ctx(), input: { userId: ownerId, disabled: true } });
    for (const [name, call] of transports) {
      const res = await readFlag(call);
      expect([name, res.status, res.json?.error?.code]).toEqual([name, 401, "unauthenticated"]);
    }
  });
});
