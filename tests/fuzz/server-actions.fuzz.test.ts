import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionResult } from "../../lib/actions/action-result";
import { runAction, type ActionDef } from "../../lib/actions/define-action";
import * as apiTokenDefs from "../../lib/api-tokens/actions";
import * as environmentDefs from "../../lib/environments/actions";
import * as flagDefs from "../../lib/flags/actions";
import * as namespaceDefs from "../../lib/namespaces/actions";
import * as outboxDefs from "../../lib/outbox/actions";
import * as ruleDefs from "../../lib/rules/actions";
import * as segmentDefs from "../../lib/segments/actions";
import * as sdkKeyDefs from "../../lib/sdk-keys/actions";
import * as userDefs from "../../lib/users/actions";
import * as valueDefs from "../../lib/values/actions";
import { actorFromCookies } from "../../lib/auth/session";
import { SESSION_COOKIE } from "../../lib/auth/session-token";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { getDb } from "../../lib/db/client";
import { createServiceContext } from "../../lib/http/service-context";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import type { ServiceContext } from "../../lib/core/context";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { makeUser } from "../authz/world";
import { changedTables, diffFingerprints, fingerprint, pendingOutbox, settle, type Fingerprint } from "../support/fingerprint";
import { etcdDrift } from "../support/etcd-drift";
import { pointAppAt, resetAppSingletons } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { beyondStaging } from "./environment-guard";
import { hostileString, hostileValue, Raw } from "./hostile-values";
import { constraintArb, segmentArb, targetingArb } from "./targeting-models";
import { setTargeting } from "../../lib/rules/targeting-verbs";
import { createSegment } from "../../lib/segments/segment-verbs";

/**
 * Guarantee (invariant 2 for the console): every server action, given hostile input (as a JSON
 * object from a client component or as FormData from a form: wrong types, huge or deep values,
 * unicode and control characters, path-like and injection strings, Infinity/NaN/-0/BigInt/Date that
 * React can serialise), returns a failure in plain words (never an internal error, field errors for
 * invalid input) and changes nothing; or it succeeds and its write is complete (audit row, outbox
 * rows for anything served). The rules and segment actions get plausible targeting from
 * targeting-models.ts. Scale with FUZZ_RUNS, replay with FUZZ_SEED.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

type AnyDef = ActionDef<never, unknown>;
const DEFS: AnyDef[] = [apiTokenDefs, environmentDefs, flagDefs, namespaceDefs, outboxDefs, ruleDefs, sdkKeyDefs, segmentDefs, userDefs, valueDefs].flatMap(
  (m) => Object.values(m) as unknown as AnyDef[],
);

let env: TestEnv;
let superCtx: ServiceContext;
let editorCtx: ServiceContext;
let baseline: Fingerprint;
const protectedUserIds = new Set<number>();
const pools: Record<string, string[]> = {};
const stats = { cases: 0, ok: 0, refused: 0, internal: 0, partialWrites: 0, byCode: {} as Record<string, number> };
const violations: string[] = [];

/** JS values a React client could send in place of the Raw JSON tokens. */
function toJs(v: unknown): unknown {
  if (v instanceof Raw) {
    if (v.raw === "1e309") return Infinity;
    if (v.raw === "-1e309") return -Infinity;
    if (v.raw === "-0") return -0;
    try {
      return JSON.parse(v.raw);
    } catch {
      return v.raw;
    }
  }
  if (Array.isArray(v)) return v.map(toJs);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJs(x)]));
  return v;
}

const exotic = fc.constantFrom<unknown>(NaN, Infinity, -0, 10n, new Date(NaN), new Date(0), new Map([["a", 1]]), new Set([1]), undefined, [undefined], { toString: null });
const jsHostile = fc.oneof({ weight: 5, arbitrary: hostileValue.map(toJs) }, { weight: 1, arbitrary: exotic });

/** The fields an action's form codec reads. */
const shapeKeys = (def: AnyDef): string[] => [...(def.codec?.fields ?? [])];

const pick = (name: string) => fc.constantFrom(...(pools[name] ?? ["1"]));
const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== "" && !/[\u0000-\u001f\u007f]/.test(s));

/** A plausible input per action (so the fuzzer also walks success paths); {} for unknown ones. */
function validBase(def: AnyDef): fc.Arbitrary<Record<string, unknown>> {
  const ref = { namespace: fc.constantFrom("fz", "fz2"), key: pick("flag") };
  switch (def.name) {
    case "createFlag":
      return fc.record({ ...ref, type: fc.constantFrom("boolean", "number", "string", "json"), defaultValueJson: fc.option(fc.json({ maxDepth: 2 }), { nil: undefined }) });
    case "updateFlag":
      return fc.record({ ...ref, description: fc.option(text, { nil: undefined }), tags: fc.option(fc.constantFrom("a,b", "x"), { nil: undefined }) });
    case "setFlagValue":
      return fc.record({ ...ref, environment: pick("environment"), value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), valueJson: fc.option(fc.json({ maxDepth: 2 }), { nil: undefined }) });
    case "archiveFlag":
      return fc.record({ ...ref, archived: fc.constantFrom("on", "off", "true", "") });
    case "deleteFlag":
      return pick("flag").map((key) => ({ namespace: "fz", key, confirm: key }));
    case "rollbackFlagValue":
      return fc.record({ ...ref, environment: pick("environment"), toVersion: fc.constantFrom("1", "2") });
    case "createNamespace":
      return fc.record({ key: fc.constantFrom("fz-a", "fz-b", "fz"), name: text });
    case "updateNamespace":
      return fc.record({ key: fc.constantFrom("fz", "fz2"), name: fc.option(text, { nil: undefined }), description: fc.option(fc.constantFrom("", "d"), { nil: undefined }) });
    case "deleteNamespace":
      return fc.constant({ key: "empty", confirm: "empty" });
    case "createEnvironment":
      return fc.record({ key: fc.constantFrom("qa", "perf"), name: text });
    case "createApiToken":
      return fc.record({ name: text, role: fc.constantFrom("viewer", "admin"), namespaces: fc.constantFrom("fz", "fz,fz2"), allNamespaces: fc.constantFrom("", "on") });
    case "revokeApiToken":
    case "revokeSdkKey":
      return fc.record({ id: pick(def.name === "revokeApiToken" ? "tokenId" : "sdkKeyId") });
    case "createSdkKey":
      return fc.record({ name: text, environment: pick("environment"), namespaces: fc.constantFrom("fz", "fz2"), allNamespaces: fc.constantFrom("", "on") });
    case "createUser":
      // Valid passwords cost a bcrypt hash (cost 12): keep them rare so the file stays fast.
      return fc.record({ email: fc.stringMatching(/^[a-z]{1,8}@example\.test$/), name: text, password: fc.constantFrom(undefined, undefined, undefined, "a long enough password") });
    case "updateUser":
      return fc.record({ userId: pick("userId"), name: fc.option(text, { nil: undefined }), disabled: fc.constantFrom(undefined, "true", "false") });
    case "setUserPassword":
      return fc.record({ userId: pick("userId"), password: fc.constantFrom("short", "short", "short", "a long enough password") });
    case "grantRole":
      return fc.record({ userId: pick("userId"), namespace: fc.constantFrom("fz", "*", ""), role: fc.constantFrom("viewer", "editor"), environments: fc.constantFrom(undefined, "staging") });
    case "revokeRole":
      return fc.record({ userId: pick("userId"), namespace: fc.constantFrom("fz", "*") });
    case "setTargeting":
      return fc.tuple(fc.record({ ...ref, environment: pick("environment") }), targetingArb(pools.segment!, pools.flag!), fc.constantFrom(undefined, "1", "2")).map(([r, t, expectedVersion]) => ({ ...r, ...t, expectedVersion }));
    case "createSegment":
      return segmentArb(pools.segment!).map((seg) => ({ namespace: "fz", ...seg }));
    case "updateSegment":
      return fc.record({ namespace: fc.constantFrom("fz", "fz2"), segmentKey: pick("segment"), name: fc.option(text, { nil: undefined }), constraints: fc.option(fc.array(constraintArb, { maxLength: 3 }), { nil: undefined }), expectedVersion: fc.constantFrom(undefined, "1", "2") });
    case "deleteSegment":
      return fc.record({ namespace: fc.constantFrom("fz", "fz2"), segmentKey: pick("segment"), expectedVersion: fc.constantFrom(undefined, "1") });
    default:
      return fc.constant({});
  }
}

type Shape = "object" | "formdata";
interface ActionCase {
  shape: Shape;
  input: unknown;
  asEditor: boolean;
}

function caseArb(def: AnyDef): fc.Arbitrary<ActionCase> {
  const fields = shapeKeys(def);
  const field = fc.oneof(fc.constantFrom(...(fields.length ? fields : ["x"])), fc.constantFrom("__proto__", "$ACTION_ID_x", "../x", "a/b", "", "constructor"));
  const mutation = fc.oneof(
    fc.record({ op: fc.constant("drop" as const), field }),
    fc.record({ op: fc.constant("set" as const), field, value: jsHostile }),
  );
  const structured = fc.tuple(validBase(def), fc.array(mutation, { maxLength: 3 })).map(([base, ms]) => {
    const o: Record<string, unknown> = { ...base };
    for (const m of ms) {
      if (m.op === "drop") delete o[m.field];
      else Object.defineProperty(o, m.field, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
    return o;
  });
  return fc.record({
    shape: fc.constantFrom<Shape>("object", "object", "formdata"),
    input: fc.oneof({ weight: 6, arbitrary: structured }, { weight: 1, arbitrary: jsHostile }),
    asEditor: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  });
}

/** JSON text of anything (BigInt, nesting deeper than JSON.stringify's recursion can go). */
function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}` : v)) ?? String(x);
  } catch {
    return "[unserialisable]";
  }
}

function asFormData(o: unknown): FormData {
  const fd = new FormData();
  if (!o || typeof o !== "object") {
    fd.append("value", String(o));
    return fd;
  }
  for (const [k, v] of Object.entries(o)) {
    const add = (x: unknown) => fd.append(k, typeof x === "string" ? x : safeJson(x));
    // Capped: lib/actions/form-codec.ts joins repeated fields in quadratic time (reported), and the
    // suite must stay fast; 1 000 repeats still exercise the array path.
    if (Array.isArray(v)) v.slice(0, 1_000).forEach(add);
    else add(v);
  }
  return fd;
}

function describeCase(def: AnyDef, c: ActionCase): string {
  const shown = safeJson(c.input);
  return `${def.name} as ${c.asEditor ? "editor" : "super"} (${c.shape}) input=${shown.slice(0, 200)}`;
}

async function runCase(def: AnyDef, c: ActionCase): Promise<void> {
  const input = c.shape === "formdata" ? asFormData(c.input) : c.input;
  // Never let the fuzzer act on its own accounts (any value that coerces to their ids).
  const asNumber = (v: unknown) => (typeof v === "string" || typeof v === "number" ? Number(v) : NaN);
  if (input instanceof FormData) {
    if (protectedUserIds.has(asNumber(input.get("userId")))) input.set("userId", pools.userId![0]!);
  } else if (input && typeof input === "object" && protectedUserIds.has(asNumber((input as Record<string, unknown>).userId))) {
    (input as Record<string, unknown>).userId = pools.userId![0];
  }
  stats.cases++;
  const guardedBefore = c.asEditor ? await beyondStaging(env.db) : null;
  let result: ActionResult<unknown>;
  try {
    result = await runAction(def, input, c.asEditor ? editorCtx : superCtx);
  } catch (err) {
    stats.internal++;
    violations.push(`threw ${String(err).slice(0, 120)}: ${describeCase(def, c)}`);
    return;
  }
  // The editor is limited to staging: no default value and no other environment's value may move.
  if (guardedBefore !== null && result.ok && (await settle(env.db), await beyondStaging(env.db)) !== guardedBefore) {
    violations.push(`a staging-only editor changed a default or a non-staging value: ${describeCase(def, c)}`);
  }
  if (!result.ok) {
    stats.byCode[result.code] = (stats.byCode[result.code] ?? 0) + 1;
    if (result.code === "internal" || result.code === "unavailable") {
      stats.internal++;
      violations.push(`${result.code}: ${result.message.slice(0, 100)}: ${describeCase(def, c)}`);
      baseline = await fingerprint(env.db, env.etcd.root);
      return;
    }
    stats.refused++;
    if (!result.message.trim() || /\n\s+at |node_modules|\.[cm]?[jt]s:\d+/.test(result.message)) violations.push(`unclear message ${JSON.stringify(result.message).slice(0, 120)}: ${describeCase(def, c)}`);
    if (result.code === "validation_failed" && !Object.keys(result.fieldErrors ?? {}).length) violations.push(`validation failure without field errors: ${describeCase(def, c)}`);
    const after = await fingerprint(env.db, env.etcd.root);
    const diff = diffFingerprints(baseline, after);
    if (diff.length) {
      stats.partialWrites++;
      violations.push(`refused (${result.code}) but changed ${diff.join(", ")}: ${describeCase(def, c)}`);
      baseline = after;
    }
    return;
  }
  stats.ok++;
  const since = baseline.tables.outbox_events?.maxId ?? 0;
  if (!(await settle(env.db, since))) violations.push(`outbox rows pending after success (${(await pendingOutbox(env.db, since)).join("; ")}): ${describeCase(def, c)}`);
  const after = await fingerprint(env.db, env.etcd.root);
  const changed = changedTables(baseline, after);
  const grew = (t: string) => (after.tables[t]?.rows ?? 0) > (baseline.tables[t]?.rows ?? 0);
  if (changed.size && !grew("audit_events")) {
    stats.partialWrites++;
    violations.push(`success without an audit row (changed ${[...changed].join(", ")}): ${describeCase(def, c)}`);
  }
  if (changed.has("flag_values") && !grew("outbox_events")) {
    stats.partialWrites++;
    violations.push(`flag values changed without outbox rows: ${describeCase(def, c)}`);
  }
  baseline = after;
}

async function sessionCtx(cookie: string): Promise<ServiceContext> {
  const actor = await actorFromCookies(getDb(), new Map([[SESSION_COOKIE, cookie]]));
  if (!actor) throw new Error("fixture session did not resolve");
  return createServiceContext(actor, { ip: "127.0.0.1", traceId: "action-fuzz" });
}

beforeAll(async () => {
  env = await createTestEnv();
  pointAppAt(env);
  const sys = createServiceContext(SYSTEM_ACTOR, { traceId: "action-fuzz-seed" });
  for (const key of ["staging", "production"]) await createEnvironment({ ctx: sys, input: { key, name: key } });
  for (const key of ["fz", "fz2", "empty"]) await createNamespace({ ctx: sys, input: { key, name: key } });
  for (const [key, type] of [["b", "boolean"], ["j", "json"], ["n", "number"], ["s", "string"]] as const) {
    await createFlag({ ctx: sys, input: { namespace: "fz", key, type } });
  }
  await setFlagValue({ ctx: sys, input: { namespace: "fz", key: "n", environment: "staging", value: 5 } });
  // For the rules and segment actions (issue 14): a free segment and one a rule uses.
  await createSegment({ ctx: sys, input: { namespace: "fz", key: "seg", constraints: [{ contextName: "tenant", operator: "IN", values: ["a"] }] } });
  await createSegment({ ctx: sys, input: { namespace: "fz", key: "seg-used", constraints: [] } });
  await setTargeting({ ctx: sys, input: { namespace: "fz", key: "b", environment: "production", rules: [{ segments: ["seg-used"], constraints: [], serve: { value: true } }] } });
  const su = await makeUser(env.db, "fuzz-super@example.test", { superAdmin: true });
  const ed = await makeUser(env.db, "fuzz-editor@example.test", { grants: [{ namespace: "fz", role: "editor", environments: ["staging"] }] });
  protectedUserIds.add(su.id).add(ed.id);
  superCtx = await sessionCtx(su.cookie);
  editorCtx = await sessionCtx(ed.cookie);
  const targets: string[] = [];
  for (let i = 0; i < 3; i++) targets.push(String((await makeUser(env.db, `target${i}@example.test`)).id));
  const tokenIds: string[] = [];
  const sdkKeyIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    tokenIds.push(String((await createApiToken({ ctx: sys, input: { name: `v${i}`, role: "viewer", namespaces: ["fz"] } })).apiToken.id));
    sdkKeyIds.push(String((await createSdkKey({ ctx: sys, input: { name: `k${i}`, environment: "staging", namespaces: ["fz"] } })).sdkKey.id));
  }
  Object.assign(pools, {
    flag: ["b", "j", "n", "s", "new-1", "nope"],
    environment: ["staging", "production", "nope"],
    userId: [...targets, "999999"],
    tokenId: [...tokenIds, "999999"],
    sdkKeyId: [...sdkKeyIds, "999999"],
    segment: ["seg", "seg-used", "seg-new", "nope"],
  });
  expect(await settle(env.db)).toBe(true);
  baseline = await fingerprint(env.db, env.etcd.root);
}, 60_000);

afterAll(async () => {
  console.log(`fuzz actions cases=${stats.cases} refused=${stats.refused} ok=${stats.ok} internal=${stats.internal} partial_writes=${stats.partialWrites} seed=${SEED} runs_per_action=${RUNS}\n  codes ${JSON.stringify(stats.byCode)}`);
  await resetAppSingletons();
  await env?.cleanup();
});

describe("server actions under hostile input", () => {
  it.each(DEFS.map((d, i) => [d.name, d, i] as const))("%s", async (_name, def, i) => {
    const start = violations.length;
    await fc.assert(
      fc.asyncProperty(caseArb(def), async (c) => {
        // Never fail the property itself: fast-check would try to print a possibly 50 000-deep value.
        await runCase(def, c).catch((err: unknown) => violations.push(`fuzz harness error ${String(err).slice(0, 120)}: ${def.name}`));
        return true;
      }),
      { numRuns: RUNS, seed: SEED + i, endOnFailure: true },
    );
    expect(violations.slice(start)).toEqual([]);
  }, 120_000);

  it("string fields set to every hostile string category", async () => {
    const start = violations.length;
    const strings = fc.sample(hostileString, { numRuns: 10, seed: SEED });
    for (const def of DEFS) {
      const base = fc.sample(validBase(def), { numRuns: 1, seed: SEED })[0]!;
      if ("password" in base) base.password = "short"; // no bcrypt per case
      for (const field of shapeKeys(def)) {
        for (const s of strings) await runCase(def, { shape: "formdata", input: { ...base, [field]: s }, asEditor: false });
      }
    }
    expect(violations.slice(start)).toEqual([]);
  }, 120_000);

  it("the staging-only editor's default-value changes, every flag and value shape (issue 12 item 8)", async () => {
    // Deterministic: whatever the random draw, the editor tries to move every flag's default.
    const start = violations.length;
    for (const key of ["b", "j", "n", "s"]) {
      for (const input of [{ defaultValue: true }, { defaultValue: 7 }, { defaultValue: "x" }, { defaultValue: null }, { defaultValueJson: "{\"a\":1}" }, { description: "d", defaultValue: false }]) {
        await runCase(flagDefs.updateFlagAction as unknown as AnyDef, { shape: "object", input: { namespace: "fz", key, ...input }, asEditor: true });
      }
    }
    expect(violations.slice(start)).toEqual([]);
  });

  it("etcd equals MySQL after all of it", async () => {
    expect(await settle(env.db, baseline.tables.outbox_events?.maxId ?? 0)).toBe(true);
    expect(await etcdDrift(env.db, env.etcd.root)).toEqual([]);
    expect(stats.internal).toBe(0);
    expect(stats.partialWrites).toBe(0);
  });
});
