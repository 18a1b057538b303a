import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { users } from "../../lib/db/schema";
import { createServiceContext } from "../../lib/http/service-context";
import { consoleRoutes } from "../../app/api/console/_lib/console-routes";
import { ALL_ROUTES } from "../../lib/http/routes";
import type { RouteSpec } from "../../lib/http/route-spec";
import { createApiToken } from "../../lib/services/api-tokens/create-api-token";
import { createEnvironment } from "../../lib/services/environments/environment-verbs";
import { createFlag } from "../../lib/services/flags/create-flag";
import { createNamespace } from "../../lib/services/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/services/sdk-keys/create-sdk-key";
import { etcdDrift } from "../support/etcd-drift";
import { changedTables, diffFingerprints, fingerprint, pendingOutbox, settle, type Fingerprint } from "../support/fingerprint";
import { callRoute, errorBodyProblems, pointAppAt, resetAppSingletons, sessionCookieFor, type Credential } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { edgeNumber, Raw, toJsonText } from "./hostile-values";
import { fieldNames, requestArb, validBase, type FuzzRequest, type FuzzWorld } from "./route-models";

/**
 * Guarantee (invariant 2 under hostile input): for every admin route in the registry, malformed,
 * oversized, mistyped or malicious requests get a 4xx with a clear error body (422s name the
 * fields), never a 5xx; a rejected request changes nothing in MySQL or etcd (fingerprint of every
 * table and of the etcd prefix is unchanged); a request that succeeds wrote completely (audit row,
 * and outbox rows for anything served), and at the end etcd equals MySQL.
 *
 * Scale with FUZZ_RUNS (random cases per route, default 25) and replay with FUZZ_SEED.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let env: TestEnv;
let baseline: Fingerprint;
let token: string;
let cookie: string;
const protectedIds = new Set<number>();
const world: FuzzWorld = { paramPools: {}, namespaces: ["fz", "fz2", "nope"], flagKeys: ["b", "j", "n", "s", "new-1", "new-2"], environments: ["staging", "production"] };
const stats = { cases: 0, skipped: 0, s2xx: 0, s4xx: 0, s5xx: 0, partialWrites: 0, byStatus: {} as Record<number, number> };
const violations: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  pointAppAt(env);
  // Seeded through the app's own context, so the seed is published to etcd like any API write.
  const sys = createServiceContext(SYSTEM_ACTOR, { traceId: "fuzz-seed" });
  for (const key of world.environments) await createEnvironment({ ctx: sys, input: { key, name: key } });
  for (const key of ["fz", "fz2", "empty"]) await createNamespace({ ctx: sys, input: { key, name: key } });
  for (const [key, type] of [["b", "boolean"], ["j", "json"], ["n", "number"], ["s", "string"]] as const) {
    await createFlag({ ctx: sys, input: { namespace: "fz", key, type } });
  }
  await createFlag({ ctx: sys, input: { namespace: "fz2", key: "b", type: "boolean" } });
  const made = await createApiToken({ ctx: sys, input: { name: "fuzzer", role: "admin", namespaces: null, superAdmin: true } });
  token = made.token;
  protectedIds.add(made.apiToken.id);
  const victims: string[] = [];
  for (let i = 0; i < 6; i++) {
    victims.push(String((await createApiToken({ ctx: sys, input: { name: `victim ${i}`, role: "viewer", namespaces: ["fz"] } })).apiToken.id));
  }
  for (let i = 0; i < 4; i++) {
    const k = await createSdkKey({ ctx: sys, input: { name: `victim key ${i}`, environment: "staging", namespaces: ["fz"] } });
    victims.push(String(k.sdkKey.id));
  }
  const [res] = await env.db.insert(users).values({ email: "fuzz@example.test", name: "Fuzz", passwordHash: null, isSuperAdmin: true });
  cookie = await sessionCookieFor({ id: Number(res.insertId), email: "fuzz@example.test", passwordHash: null });
  // The id pool is shared by tokens, SDK keys and users: never touch the fuzzer's own user either.
  protectedIds.add(Number(res.insertId));
  for (let i = 0; i < 3; i++) {
    const [u] = await env.db.insert(users).values({ email: `target${i}@example.test`, name: `Target ${i}`, passwordHash: null });
    victims.push(String(u.insertId));
  }
  world.paramPools = {
    namespace: ["fz", "fz2", "empty", "nope"],
    key: ["b", "j", "n", "s", "new-1", "nope"],
    environment: ["staging", "production", "nope"],
    id: [...victims, "999999"],
  };
  expect(await settle(env.db)).toBe(true);
  baseline = await fingerprint(env.db, env.etcd.root);
}, 60_000);

afterAll(async () => {
  const line = `fuzz cases=${stats.cases} 4xx=${stats.s4xx} 2xx=${stats.s2xx} 5xx=${stats.s5xx} partial_writes=${stats.partialWrites} seed=${SEED} runs_per_route=${RUNS}`;
  console.log(`${line}\n  statuses ${JSON.stringify(stats.byStatus)} skipped=${stats.skipped}`);
  await resetAppSingletons();
  await env?.cleanup();
});

function credentialOf(auth: FuzzRequest["auth"]): Credential {
  if (auth === "token") return { kind: "token", token };
  if (auth === "session") return { kind: "session", cookie, sameOrigin: true };
  return { kind: "header", authorization: auth.header };
}

function describeCase(spec: RouteSpec, r: FuzzRequest): string {
  const body = r.body.kind === "raw" ? r.body.text.slice(0, 160) : r.body.kind;
  return `${spec.method} ${spec.route} params=${JSON.stringify(r.params).slice(0, 120)} query=${JSON.stringify(r.query).slice(0, 80)} auth=${JSON.stringify(r.auth).slice(0, 40)} body=${JSON.stringify(body)}`;
}

async function runCase(spec: RouteSpec, r: FuzzRequest): Promise<void> {
  // Never let the fuzzer revoke or disable its own credentials (any string that coerces to their ids).
  if ("id" in r.params && protectedIds.has(Number(r.params.id))) r.params.id = world.paramPools.id!.find((v) => !protectedIds.has(Number(v)))!;
  const headers: Record<string, string> = {};
  let body: string | Uint8Array | undefined;
  if (r.body.kind === "raw") {
    body = r.body.text;
    if (r.body.contentType !== undefined) headers["content-type"] = r.body.contentType;
  } else if (r.body.kind === "bytes") body = new Uint8Array(r.body.bytes);
  else if (r.body.kind === "oversize") body = " ".repeat(r.body.bytes) + "{}";
  if (spec.method === "GET") body = undefined;
  const credential = credentialOf(r.auth);
  try {
    new Headers(credential.kind === "header" ? { authorization: credential.authorization } : {});
  } catch {
    stats.skipped++; // not a request any HTTP client could send
    return;
  }
  stats.cases++;
  let res;
  try {
    const streamMs = spec.responseContentType === "text/event-stream" ? 2_000 : undefined;
    res = await callRoute(spec, { params: r.params, query: r.query, body, headers, credential, streamMs });
  } catch (err) {
    stats.s5xx++;
    violations.push(`handler threw ${String(err).slice(0, 120)}: ${describeCase(spec, r)}`);
    return;
  }
  stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
  if (res.status >= 500) {
    stats.s5xx++;
    violations.push(`${res.status} ${res.text.slice(0, 160)}: ${describeCase(spec, r)}`);
    baseline = await fingerprint(env.db, env.etcd.root);
    return;
  }
  if (res.status >= 400) {
    stats.s4xx++;
    for (const p of errorBodyProblems(res)) violations.push(`${p}: ${describeCase(spec, r)}`);
    const after = await fingerprint(env.db, env.etcd.root);
    const diff = diffFingerprints(baseline, after);
    if (diff.length) {
      stats.partialWrites++;
      violations.push(`rejected (${res.status}) but changed ${diff.join(", ")}: ${describeCase(spec, r)}`);
      baseline = after;
    }
    return;
  }
  stats.s2xx++;
  if (spec.method === "GET") {
    const after = await fingerprint(env.db, env.etcd.root);
    const diff = diffFingerprints(baseline, after);
    if (diff.length) violations.push(`a read changed ${diff.join(", ")}: ${describeCase(spec, r)}`);
    baseline = after;
    return;
  }
  // A successful write must be complete: an audit row for any change, outbox rows for anything
  // served, and the post-commit publish must land (no row left pending).
  const since = baseline.tables.outbox_events?.maxId ?? 0;
  if (!(await settle(env.db, since))) {
    violations.push(`outbox rows still pending after a successful write (${(await pendingOutbox(env.db, since)).join("; ")}): ${describeCase(spec, r)}`);
  }
  const after = await fingerprint(env.db, env.etcd.root);
  const changed = changedTables(baseline, after);
  const grew = (t: string) => (after.tables[t]?.rows ?? 0) > (baseline.tables[t]?.rows ?? 0);
  if (changed.size && !grew("audit_events")) {
    stats.partialWrites++;
    violations.push(`write without an audit row (changed ${[...changed].join(", ")}): ${describeCase(spec, r)}`);
  }
  if (changed.has("flag_values") && !grew("outbox_events")) {
    stats.partialWrites++;
    violations.push(`flag values changed without outbox rows: ${describeCase(spec, r)}`);
  }
  baseline = after;
}

/** The admin API registry plus the console's own read endpoints (same wrapper). */
const ROUTES: RouteSpec[] = [...ALL_ROUTES, ...Object.values(consoleRoutes)];

describe("admin API under hostile input", () => {
  it.each(ROUTES.map((s, i) => [`${s.method} ${s.route}`, s, i] as const))("%s: random hostile requests", async (_name, spec, i) => {
    const start = violations.length;
    await fc.assert(
      fc.asyncProperty(requestArb(spec, world), async (r) => {
        await runCase(spec, r).catch((err: unknown) => violations.push(`fuzz harness error ${String(err).slice(0, 120)}: ${describeCase(spec, r)}`));
        return true;
      }),
      { numRuns: RUNS, seed: SEED + i, endOnFailure: true },
    );
    expect(violations.slice(start)).toEqual([]);
  }, 120_000);

  it("every body field of every route, set to each edge value", async () => {
    // Deterministic sweep so the categories are always hit, whatever the random draw.
    const start = violations.length;
    const specials: unknown[] = [
      new Raw("1e309"), new Raw("-0"), new Raw("9007199254740993"),
      "x".repeat(100_001), "😀\u0000\ud800\u202e", "../x", "a/b%2F", "' OR '1'='1<script>alert(1)</script>",
      new Raw("[".repeat(5000) + "]".repeat(5000)), new Raw(`[${Array(40_000).fill("1").join(",")}]`), new Raw('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'),
      [], {}, null, true, "NaN", -1, 2 ** 31,
    ];
    const samples = fc.sample(edgeNumber, { numRuns: 1, seed: SEED });
    for (const spec of ROUTES.filter((s) => s.body)) {
      const base = fc.sample(validBase(spec, world), { numRuns: 1, seed: SEED })[0]!;
      if ("password" in base) base.password = "short"; // no bcrypt hash per case
      for (const field of fieldNames(spec.body)) {
        for (const v of [...specials, ...samples]) {
          const obj = { ...base, [field]: v };
          const params = Object.fromEntries(Object.entries(world.paramPools).map(([k, pool]) => [k, pool[0]!]));
          await runCase(spec, { params, query: {}, body: { kind: "raw", text: toJsonText(obj) }, auth: "token", note: "sweep" });
        }
      }
    }
    expect(violations.slice(start)).toEqual([]);
  }, 120_000);

  it("etcd equals MySQL after all of it", async () => {
    expect(await settle(env.db)).toBe(true);
    expect(await etcdDrift(env.db, env.etcd.root)).toEqual([]);
    expect(stats.s5xx).toBe(0);
    expect(stats.partialWrites).toBe(0);
  });
});
