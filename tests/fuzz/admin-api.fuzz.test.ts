import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { loadUserActor } from "../../lib/auth/session-actor";
import { users } from "../../lib/db/schema";
import { createServiceContext } from "../../lib/http/service-context";
import { consoleRoutes } from "../../lib/console/api";
import { ALL_ROUTES, auditRoutes, importRoutes, ruleRoutes, segmentRoutes, valueRoutes } from "../../lib/http/api-registry";
import type { RouteSpec } from "../../lib/http/route-spec";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { setTargeting } from "../../lib/rules/targeting-verbs";
import { createSegment } from "../../lib/segments/segment-verbs";
import { grantRole } from "../../lib/users/membership-verbs";
import { createUser, updateUser } from "../../lib/users/user-verbs";
import { etcdDrift } from "../support/etcd-drift";
import { changedTables, diffFingerprints, fingerprint, pendingOutbox, settle, type Fingerprint } from "../support/fingerprint";
import { callRoute, errorBodyProblems, pointAppAt, resetAppSingletons, sessionCookieFor, type Credential } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { beyondStaging } from "./environment-guard";
import { edgeNumber, Raw, toJsonText } from "./hostile-values";
import { fieldNames, requestArb, validBase, type FuzzRequest, type FuzzWorld } from "./route-models";

/**
 * Guarantee (invariant 2 under hostile input): for every admin route in the registry, malformed,
 * oversized, mistyped or malicious requests get a 4xx with a clear error body (422s name the
 * fields), never a 5xx; a rejected request changes nothing in MySQL or etcd (fingerprint of every
 * table and of the etcd prefix is unchanged); a request that succeeds wrote completely (audit row,
 * and outbox rows for anything served), and at the end etcd equals MySQL. The targeting writes
 * (rules PUT, segment create/update/delete, the Unleash import) get plausible bodies from
 * targeting-models.ts, so their success paths and their strict value checks are walked too.
 *
 * Scale with FUZZ_RUNS (random cases per route, default 25) and replay with FUZZ_SEED.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let env: TestEnv;
let baseline: Fingerprint;
let token: string;
let cookie: string;
/** Credentials whose creator's rights shrank, or with an environment limit (see FuzzRequest.auth). */
const narrowed = {} as { demotedToken: string; orphanToken: string; stagingEditor: string };
const protectedIds = new Set<number>();
const world: FuzzWorld = {
  paramPools: {},
  namespaces: ["fz", "fz2", "nope"],
  flagKeys: ["b", "j", "n", "s", "new-1", "new-2"],
  environments: ["staging", "production"],
  segmentKeys: ["seg", "seg-used", "seg-new", "nope"],
};
const stats = { cases: 0, skipped: 0, s2xx: 0, s4xx: 0, s5xx: 0, partialWrites: 0, byStatus: {} as Record<number, number> };
const violations: string[] = [];
/** Status of the last request runCase made (the deterministic rows assert it). */
let lastStatus = 0;

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
  // Targeting writes (issue 14) need something to act on: a free segment, and one a rule uses
  // (deleting it is a 409 naming the flag).
  await createSegment({ ctx: sys, input: { namespace: "fz", key: "seg", constraints: [{ contextName: "tenant", operator: "IN", values: ["a"] }] } });
  await createSegment({ ctx: sys, input: { namespace: "fz", key: "seg-used", constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }] } });
  await setTargeting({ ctx: sys, input: { namespace: "fz", key: "b", environment: "staging", rules: [{ segments: ["seg-used"], constraints: [], serve: { value: true } }] } });
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
  // Narrowed callers, made through the service verbs as an administrator would.
  const member = async (email: string, isSuperAdmin: boolean) => (await createUser({ ctx: sys, input: { email, name: email, isSuperAdmin } })).id;
  const mint = async (userId: number, input: Record<string, unknown>) => {
    const made = await createApiToken({ ctx: createServiceContext((await loadUserActor(env.db, userId))!, { traceId: "fuzz-seed" }), input });
    protectedIds.add(made.apiToken.id);
    return made.token;
  };
  const demoted = await member("demoted@example.test", false);
  await grantRole({ ctx: sys, input: { userId: demoted, namespace: "fz", role: "admin" } });
  narrowed.demotedToken = await mint(demoted, { name: "demoted", role: "admin", namespaces: ["fz"] });
  await grantRole({ ctx: sys, input: { userId: demoted, namespace: "fz", role: "viewer" } });
  const gone = await member("gone@example.test", true);
  narrowed.orphanToken = await mint(gone, { name: "orphan", role: "admin", namespaces: null, superAdmin: true });
  await updateUser({ ctx: sys, input: { userId: gone, disabled: true } });
  const staging = await member("staging-editor@example.test", false);
  await grantRole({ ctx: sys, input: { userId: staging, namespace: "fz", role: "editor", environments: ["staging"] } });
  narrowed.stagingEditor = await sessionCookieFor({ id: staging, email: "staging-editor@example.test", passwordHash: null });
  for (const id of [demoted, gone, staging]) protectedIds.add(id);
  world.paramPools = {
    namespace: ["fz", "fz2", "empty", "nope"],
    key: ["b", "j", "n", "s", "new-1", "nope"],
    environment: ["staging", "production", "nope"],
    segmentKey: ["seg", "seg-used", "nope"],
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
  if (auth === "demotedToken" || auth === "orphanToken") return { kind: "token", token: narrowed[auth] };
  if (auth === "stagingEditor") return { kind: "session", cookie: narrowed.stagingEditor, sameOrigin: true };
  return { kind: "header", authorization: auth.header };
}

/** The narrowed callers' limits (issue 12 items 4 and 8), checked on every case they make. */
function narrowedViolation(spec: RouteSpec, r: FuzzRequest, status: number, guardedBefore: string | null, guardedAfter: string | null): string | null {
  if (r.auth === "orphanToken" && spec.auth !== "none" && status !== 401) return `a token of a disabled creator got ${status}`;
  if (r.auth === "demotedToken" && spec.method !== "GET" && status < 300) return `a token whose creator is a viewer wrote (${status})`;
  if (r.auth === "stagingEditor" && guardedBefore !== guardedAfter) return "a staging-only editor changed a default or a non-staging value";
  return null;
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
  const guardedBefore = r.auth === "stagingEditor" && spec.method !== "GET" ? await beyondStaging(env.db) : null;
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
  lastStatus = res.status;
  const guardedAfter = guardedBefore === null ? null : (await settle(env.db), await beyondStaging(env.db));
  const narrowedProblem = narrowedViolation(spec, r, res.status, guardedBefore, guardedAfter);
  if (narrowedProblem) violations.push(`${narrowedProblem}: ${describeCase(spec, r)}`);
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

  it("paged history reads: hostile cursors and limits get 422, and a page holds no more than asked", async () => {
    // Issue 12, item 5: a flag's history and its value versions took no paging at all (up to 5,000
    // events of up to 64 KiB each in one response); every history read is now a bounded page.
    const problems: string[] = [];
    const params = { namespace: "fz", key: "b", environment: "production" };
    const credential = { kind: "token" as const, token };
    const paged: [RouteSpec, string][] = [
      [auditRoutes.list, "events"], [auditRoutes.flagHistory, "events"], [valueRoutes.valueVersions, "versions"], [consoleRoutes.audit, "events"], [consoleRoutes.versions, "versions"],
    ];
    const hostile = [["cursor", "0"], ["cursor", "-1"], ["cursor", "abc"], ["cursor", "1e999"], ["cursor", "9007199254740993"], ["limit", "0"], ["limit", "501"], ["limit", "100000"], ["limit", "2.5"]];
    for (const [spec, field] of paged) {
      for (const [name, value] of hostile) {
        const res = await callRoute(spec, { params, query: { [name!]: value! }, credential });
        if (res.status !== 422) problems.push(`${spec.route} ${name}=${value}: ${res.status}, expected 422`);
      }
      const res = await callRoute(spec, { params, query: { limit: "1" }, credential });
      const items = res.json?.[field];
      // One event's versions stay together (a flag-level change holds one per environment, and the
      // fuzz cases before this one may have created environments), so a one-row page of versions
      // holds the versions of exactly one event; any other page holds one row.
      const tooMany = !Array.isArray(items) || (field === "versions" ? new Set(items.map((v: { eventId: number }) => v.eventId)).size > 1 : items.length > 1);
      if (res.status !== 200 || tooMany || !("nextCursor" in res.json)) {
        problems.push(`${spec.route} limit=1: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("targeting writes: every strict-check refusal is a 422 naming the field and changes nothing; valid writes succeed completely", async () => {
    // Deterministic rows (issue 14) next to the random ones: structurally valid bodies whose values
    // only the verbs' strict checks catch (semver, RE2, CIDR, number, unknown segment or
    // prerequisite, a value of another type, an unknown variant), then the valid write of each route.
    const start = violations.length;
    // The random cases before this one may create, delete or rewrite the shared segments and flags
    // ("seg", "seg-used", "nope", "b", "s"), so the rows that need one to exist create their own and
    // the rows that need one to be missing name keys no random case uses.
    const sys = createServiceContext(SYSTEM_ACTOR, { traceId: "fuzz-sweep" });
    await createFlag({ ctx: sys, input: { namespace: "fz", key: "sweep-b", type: "boolean" } });
    await createFlag({ ctx: sys, input: { namespace: "fz", key: "sweep-str", type: "string" } });
    expect(await settle(env.db)).toBe(true);
    baseline = await fingerprint(env.db, env.etcd.root);
    const put = ruleRoutes.setTargeting;
    const flag = { namespace: "fz", key: "sweep-b", environment: "production" };
    const seg = { namespace: "fz", segmentKey: "seg-sweep" };
    const rule = (over: Record<string, unknown>) => ({ constraints: [], serve: { value: true }, ...over });
    const constraint = (operator: string, v: Record<string, unknown>) => ({ rules: [rule({ constraints: [{ contextName: "c", operator, ...v }] })] });
    const feature = (name: string, over: Record<string, unknown> = {}) => ({ name, enabled: true, strategies: [{ name: "default" }], ...over });
    const rows: [RouteSpec, Record<string, string>, Record<string, string>, unknown, number][] = [
      [put, flag, {}, constraint("SEMVER_GT", { value: "2.x" }), 422],
      [put, flag, {}, constraint("REGEX", { value: "[" }), 422],
      [put, flag, {}, constraint("IN_CIDR", { values: ["999.1.1.1/40"] }), 422],
      [put, flag, {}, constraint("NUM_GT", { value: "abc" }), 422],
      [put, flag, {}, constraint("NO_SUCH_OPERATOR", { values: ["a"] }), 422],
      [put, flag, {}, { rules: [rule({ segments: ["no-such-segment"] })] }, 422],
      [put, flag, {}, { prerequisites: [{ flag: "no-such-flag" }] }, 422],
      [put, flag, {}, { prerequisites: [{ flag: "sweep-b" }] }, 422],
      [put, flag, {}, { rules: [rule({ serve: { value: "a string" } })] }, 422],
      [put, flag, {}, { rules: [rule({ gate: { percentage: 101 } })] }, 422],
      [put, flag, {}, { rules: [rule({ serve: { split: { variants: [{ variant: "ghost", weight: 100 }] } } })] }, 422],
      [segmentRoutes.createSegment, { namespace: "fz" }, {}, { key: "seg-rule", constraints: [{ contextName: "tenant", operator: "IN", values: ["a"] }] }, 201],
      [put, flag, {}, { rules: [rule({ constraints: [{ contextName: "tenant", operator: "IN", values: ["a"] }], segments: ["seg-rule"], gate: { percentage: 30 } })] }, 200],
      [segmentRoutes.createSegment, { namespace: "fz" }, {}, { key: "seg-sweep", constraints: [{ contextName: "email", operator: "REGEX", value: "(" }] }, 422],
      [segmentRoutes.createSegment, { namespace: "fz" }, {}, { key: "seg-sweep", constraints: [{ contextName: "email", operator: "STR_ENDS_WITH", values: ["@corp.example"] }] }, 201],
      [segmentRoutes.createSegment, { namespace: "fz" }, {}, { key: "seg-sweep", constraints: [] }, 409],
      [segmentRoutes.updateSegment, seg, {}, { constraints: [{ contextName: "v", operator: "SEMVER_EQ", value: "x" }] }, 422],
      [segmentRoutes.updateSegment, seg, {}, { name: "Sweep", expectedVersion: 1 }, 200],
      [segmentRoutes.deleteSegment, { namespace: "fz", segmentKey: "seg-rule" }, {}, undefined, 409],
      [segmentRoutes.deleteSegment, seg, { expectedVersion: "1" }, undefined, 409],
      [segmentRoutes.deleteSegment, seg, {}, undefined, 200],
      [importRoutes.importUnleash, {}, { environment: "staging", namespace: "fz" }, { features: [feature("Bad Name")] }, 422],
      [importRoutes.importUnleash, {}, { environment: "staging", namespace: "fz" }, { features: [feature("sweep-str")] }, 422],
      [importRoutes.importUnleash, {}, { environment: "staging", namespace: "fz" }, { features: [feature("imp-x", { dependencies: [{ feature: "imp-y" }] }), feature("imp-y", { dependencies: [{ feature: "imp-x" }] })] }, 422],
      [importRoutes.importUnleash, {}, { environment: "no-such-env", namespace: "fz" }, { features: [feature("imp-x")] }, 404],
      [importRoutes.importUnleash, {}, { environment: "staging", namespace: "fz", dryRun: "true" }, { features: [feature("imp-x")] }, 200],
      [importRoutes.importUnleash, {}, { environment: "staging", namespace: "fz" }, { features: [feature("imp-x")] }, 200],
    ];
    const wrong: string[] = [];
    for (const [spec, params, query, body, expected] of rows) {
      const text = body === undefined ? "" : JSON.stringify(body);
      await runCase(spec, { params: { ...params }, query, body: body === undefined ? { kind: "none" } : { kind: "raw", text }, auth: "token", note: "targeting sweep" });
      if (lastStatus !== expected) wrong.push(`${spec.method} ${spec.route} ${JSON.stringify(query)} ${text.slice(0, 120)}: ${lastStatus}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
    expect(violations.slice(start)).toEqual([]);
  });

  it("etcd equals MySQL after all of it", async () => {
    expect(await settle(env.db)).toBe(true);
    expect(await etcdDrift(env.db, env.etcd.root)).toEqual([]);
    expect(stats.s5xx).toBe(0);
    expect(stats.partialWrites).toBe(0);
  });
});
