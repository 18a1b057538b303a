import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { revokeSdkKey } from "../../lib/sdk-keys/revoke-sdk-key";
import { startStreamServer, type StreamServer } from "../../workers/stream-server/server";
import { flagRevision, putFlag, seedScopes } from "../support/stream-server/fixtures";
import { createTestEnv, waitFor, type TestEnv } from "../support/test-env";

/**
 * Guarantee (issue 15): what each kind of SDK key may do on the delivery endpoints. A client key
 * (browsers, mobile) gets OFREP evaluations and change notifications for its scope only: never the
 * flag stream or snapshot (which carry flag data and, with targeting, rules and segments), never a
 * flag outside its namespaces. Server keys keep today's behaviour. The table is written by hand.
 */
type Caller = "server" | "client" | "clientOtherNs" | "revokedClient" | "unknown" | "none";
const ENDPOINTS = {
  stream: { method: "GET", path: "/api/sdk/v1/stream" },
  snapshot: { method: "GET", path: "/api/sdk/v1/flags" },
  ofrepSingle: { method: "POST", path: "/ofrep/v1/evaluate/flags/checkout/new-flow" },
  ofrepOtherNs: { method: "POST", path: "/ofrep/v1/evaluate/flags/search/secret" },
  ofrepBulk: { method: "POST", path: "/ofrep/v1/evaluate/flags" },
  ofrepEvents: { method: "GET", path: "/ofrep/v1/events" },
} as const;
type Endpoint = keyof typeof ENDPOINTS;

const EXPECTED: Record<Caller, Record<Endpoint, number>> = {
  server: { stream: 200, snapshot: 200, ofrepSingle: 200, ofrepOtherNs: 404, ofrepBulk: 200, ofrepEvents: 200 },
  client: { stream: 403, snapshot: 403, ofrepSingle: 200, ofrepOtherNs: 404, ofrepBulk: 200, ofrepEvents: 200 },
  clientOtherNs: { stream: 403, snapshot: 403, ofrepSingle: 404, ofrepOtherNs: 200, ofrepBulk: 200, ofrepEvents: 200 },
  revokedClient: { stream: 403, snapshot: 403, ofrepSingle: 403, ofrepOtherNs: 403, ofrepBulk: 403, ofrepEvents: 403 },
  unknown: { stream: 401, snapshot: 401, ofrepSingle: 401, ofrepOtherNs: 401, ofrepBulk: 401, ofrepEvents: 401 },
  none: { stream: 401, snapshot: 401, ofrepSingle: 401, ofrepOtherNs: 401, ofrepBulk: 401, ofrepEvents: 401 },
};

let env: TestEnv;
let server: StreamServer;
const keys = {} as Record<Caller, string | null>;

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["checkout", "search"] });
  server = await startStreamServer({ db: env.db, root: env.etcd.root, rateLimit: false, ofrepRateLimit: false, revocationCheckMs: 100 });
  const ctx = { db: env.db, actor: SYSTEM_ACTOR };
  const make = async (kind: "server" | "client", namespaces: string[]) =>
    createSdkKey({ ctx, input: { name: `${kind}-${namespaces.join()}`, environment: "prod", namespaces, kind } });
  keys.server = (await make("server", ["checkout"])).key;
  keys.client = (await make("client", ["checkout"])).key;
  keys.clientOtherNs = (await make("client", ["search"])).key;
  const revoked = await make("client", ["checkout"]);
  await revokeSdkKey({ ctx, input: { id: revoked.sdkKey.id } });
  keys.revokedClient = revoked.key;
  keys.unknown = `mf_sdk_${"Q".repeat(43)}`;
  keys.none = null;
  await putFlag(env.etcd.root, { environment: "prod", namespace: "checkout", key: "new-flow" }, 1, true);
  await putFlag(env.etcd.root, { environment: "prod", namespace: "search", key: "secret" }, 1, "hidden", "string");
  const rev = await flagRevision(env.etcd.root, { environment: "prod", namespace: "search", key: "secret" });
  await waitFor(() => server.hub.currentRevision >= rev, "the hub to apply the flags");
});
afterAll(async () => {
  await server?.close();
  await env?.cleanup();
});

describe("SDK key kinds on the delivery endpoints", () => {
  for (const caller of Object.keys(EXPECTED) as Caller[]) {
    it(`${caller}: ${JSON.stringify(EXPECTED[caller])}`, async () => {
      const got = {} as Record<Endpoint, number>;
      for (const [name, ep] of Object.entries(ENDPOINTS) as [Endpoint, (typeof ENDPOINTS)[Endpoint]][]) {
        const key = keys[caller];
        const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
        const ctl = new AbortController();
        const res = await fetch(`http://127.0.0.1:${server.port}${ep.path}`, {
          method: ep.method,
          headers: ep.method === "POST" ? { ...headers, "content-type": "application/json" } : headers,
          body: ep.method === "POST" ? JSON.stringify({ context: { targetingKey: "u1" } }) : undefined,
          signal: ctl.signal,
        });
        got[name] = res.status;
        if (res.headers.get("content-type")?.startsWith("text/event-stream")) ctl.abort();
        else {
          const text = await res.text();
          // Whatever the caller, no OFREP answer carries rules, segments, or another scope's data.
          if (name.startsWith("ofrep") && caller !== "clientOtherNs") expect(text).not.toMatch(/rules|segments|hidden/);
        }
      }
      expect(got).toEqual(EXPECTED[caller]);
    });
  }
});
