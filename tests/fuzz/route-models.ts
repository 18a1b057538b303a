import fc from "fast-check";
import { z } from "zod";
import type { RouteSpec } from "../../lib/http/route-spec";
import { pathParamNames } from "../../lib/http/route-spec";
import { hostileString, hostileValue, malformedJson, Raw, toJsonText } from "./hostile-values";
import { constraintArb, segmentArb, targetingArb, unleashPayloadArb } from "./targeting-models";

/**
 * How the fuzzer builds requests for one route. Everything is derived from the route registry
 * (path parameters from the route, body/query field names from the zod schemas), so a route added
 * later is fuzzed without changes here. Where a route is known, a "valid base" lets some generated
 * requests succeed, so the fuzzer also walks the success paths; unknown routes get {} as their base.
 */

export interface FuzzWorld {
  /** Existing and missing values per path parameter name, e.g. namespace -> ["fz", "nope"]. */
  paramPools: Record<string, string[]>;
  namespaces: string[];
  flagKeys: string[];
  environments: string[];
  /** Segment keys of namespace fz: existing (one used by a rule), new, missing. */
  segmentKeys: string[];
}

export type BodyPlan =
  | { kind: "none" }
  | { kind: "raw"; text: string; contentType?: string }
  | { kind: "bytes"; bytes: readonly number[] }
  | { kind: "oversize"; bytes: number };

export interface FuzzRequest {
  params: Record<string, string>;
  query: Record<string, string> | string;
  body: BodyPlan;
  /**
   * "token"/"session": a super-admin's. The narrowed callers (issue 12 items 4 and 8):
   * "demotedToken", an admin token of fz whose creator is now only a viewer there; "orphanToken",
   * a super-admin token whose creator is disabled; "stagingEditor", a session of an editor of fz
   * limited to staging.
   */
  auth: "token" | "session" | "demotedToken" | "orphanToken" | "stagingEditor" | { header: string };
  /** What the generator did, for the report of a violation. */
  note: string;
}

const keyish = (pool: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/) });
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== "" && !/[\u0000-\u001f\u007f]/.test(s));

function valueFor(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case "boolean":
      return fc.boolean();
    case "number":
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case "string":
      return fc.string({ maxLength: 40 });
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

/** A valid-looking body for the routes we know; {} otherwise. */
export function validBase(spec: RouteSpec, w: FuzzWorld): fc.Arbitrary<Record<string, unknown>> {
  const id = `${spec.method} ${spec.route}`;
  const reason = fc.option(text, { nil: undefined });
  switch (id) {
    case "POST /api/v1/namespaces":
      return fc.record({ key: keyish(["fz-new", "fz-new2", "fz"]), name: text, description: fc.option(text, { nil: undefined }), reason });
    case "PATCH /api/v1/namespaces/[namespace]":
      return fc.record({ name: fc.option(text, { nil: undefined }), description: fc.option(fc.option(text, { nil: null }), { nil: undefined }), reason });
    case "POST /api/v1/environments":
      // A small key pool: every new environment costs a value row per flag.
      return fc.record({ key: fc.constantFrom("qa", "perf", "staging"), name: text, reason });
    case "POST /api/v1/flags":
      return fc.constantFrom("boolean", "number", "string", "json").chain((type) =>
        fc.record({
          namespace: fc.constantFrom(...w.namespaces),
          key: keyish(w.flagKeys),
          type: fc.constant(type),
          defaultValue: fc.option(valueFor(type), { nil: undefined }),
          tags: fc.option(fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9:._-]{0,10}$/), { maxLength: 3 }), { nil: undefined }),
          reason,
        }),
      );
    case "PATCH /api/v1/flags/[namespace]/[key]":
      return fc.record({ description: fc.option(fc.option(text, { nil: null }), { nil: undefined }), tags: fc.option(fc.array(fc.constantFrom("a", "b:c"), { maxLength: 2 }), { nil: undefined }), reason });
    case "POST /api/v1/flags/[namespace]/[key]/archive":
      return fc.record({ archived: fc.boolean(), reason });
    case "PUT /api/v1/flags/[namespace]/[key]/values/[environment]":
      return fc.record({ value: fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })), expectedVersion: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), reason });
    case "POST /api/v1/value-changes": {
      const change = fc.record({
        namespace: keyish(w.namespaces),
        key: keyish(w.flagKeys),
        environment: keyish(w.environments),
        value: fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 20 })),
        expectedVersion: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      });
      return fc.record({ changes: fc.array(change, { minLength: 1, maxLength: 4 }), reason });
    }
    case "POST /api/v1/api-tokens":
      return fc.record({ name: text, role: fc.constantFrom("viewer", "editor", "reviewer", "admin"), namespaces: fc.constantFrom(["fz"], null, ["fz", "fz2"]), expiresInDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), reason });
    case "POST /api/v1/users":
      return fc.record({ email: fc.stringMatching(/^[a-z]{1,8}@example\.test$/), name: text, isSuperAdmin: fc.option(fc.boolean(), { nil: undefined }), reason });
    case "PATCH /api/v1/users/[id]":
      return fc.record({ name: fc.option(text, { nil: undefined }), disabled: fc.option(fc.boolean(), { nil: undefined }), reason });
    case "PUT /api/v1/users/[id]/password":
      // A valid password costs a bcrypt hash (cost 12): rare, so the file stays fast.
      return fc.record({ password: fc.constantFrom("short", "short", "short", "a long enough password"), reason });
    case "PUT /api/v1/users/[id]/roles":
      return fc.record({ namespace: fc.constantFrom("fz", "fz2", null, "nope"), role: fc.constantFrom("viewer", "editor", "admin"), environments: fc.option(fc.constantFrom(["staging"], ["nope"]), { nil: undefined }), reason });
    case "POST /api/v1/flags/[namespace]/[key]/values/[environment]/rollback":
      return fc.record({ toVersion: fc.integer({ min: 1, max: 3 }), expectedVersion: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), reason });
    case "POST /api/v1/sdk-keys":
      return fc.record({ name: text, environment: fc.constantFrom(...w.environments, "nope"), namespaces: fc.constantFrom(["fz"], null, ["fz", "fz2"], ["nope"]), reason });
    case "PUT /api/v1/namespaces/[namespace]/flags/[key]/environments/[environment]/targeting":
      return fc.tuple(targetingArb(w.segmentKeys, w.flagKeys), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), reason).map(([t, expectedVersion, r]) => ({ ...t, expectedVersion, reason: r }));
    case "POST /api/v1/namespaces/[namespace]/segments":
      return fc.tuple(segmentArb(w.segmentKeys), reason).map(([seg, r]) => ({ ...seg, reason: r }));
    case "PATCH /api/v1/namespaces/[namespace]/segments/[segmentKey]":
      return fc.record({ name: fc.option(fc.option(text, { nil: null }), { nil: undefined }), constraints: fc.option(fc.array(constraintArb, { maxLength: 3 }), { nil: undefined }), expectedVersion: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), reason });
    case "POST /api/v1/import/unleash":
      // Feature names: new keys, fz's flags of every type (a boolean import over a string flag is refused), an invalid key.
      return unleashPayloadArb(["imp-a", "imp-b", ...w.flagKeys.slice(0, 4), "Bad Name"]);
    case "POST /api/v1/outbox/dead-letters/retry":
      return fc.record({ ids: fc.option(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 3 }), { nil: undefined }), reason });
    default:
      return fc.constant({});
  }
}

/** Top-level field names a body or query schema accepts (from the zod schema itself). */
export function fieldNames(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  try {
    const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, unknown> };
    return Object.keys(js.properties ?? {});
  } catch {
    return [];
  }
}

type Mutation = { op: "drop"; field: string } | { op: "set"; field: string; value: unknown } | { op: "replace"; value: unknown };

function mutations(fields: string[]): fc.Arbitrary<Mutation[]> {
  const field = fc.oneof(fc.constantFrom(...(fields.length ? fields : ["x"])), fc.constantFrom("__proto__", "../x", "a/b", "%2F", "extra", "", "😀"), fc.string({ maxLength: 8 }));
  const m: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ op: fc.constant("drop" as const), field }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant("set" as const), field, value: hostileValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("replace" as const), value: hostileValue }) },
  );
  return fc.array(m, { minLength: 0, maxLength: 3 });
}

function applyMutations(base: Record<string, unknown>, ms: Mutation[]): unknown {
  let body: unknown = { ...base };
  for (const m of ms) {
    if (m.op === "replace") body = m.value;
    else if (body && typeof body === "object" && !Array.isArray(body) && !(body instanceof Raw)) {
      const o = body as Record<string, unknown>;
      // defineProperty, so "__proto__" becomes an own key in the JSON text like a client would send it.
      if (m.op === "drop") delete o[m.field];
      else Object.defineProperty(o, m.field, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
  }
  return body;
}

function bodyPlan(spec: RouteSpec, w: FuzzWorld): fc.Arbitrary<BodyPlan> {
  if (spec.method === "GET") return fc.constant({ kind: "none" });
  const fields = fieldNames(spec.body);
  const structured = fc.tuple(validBase(spec, w), mutations(fields)).map(([b, ms]) => ({ kind: "raw" as const, text: toJsonText(applyMutations(b, ms)) }));
  return fc.oneof(
    { weight: 10, arbitrary: structured },
    { weight: 2, arbitrary: malformedJson.map((text) => ({ kind: "raw" as const, text })) },
    { weight: 1, arbitrary: fc.tuple(validBase(spec, w), fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonx", "")).map(([b, ct]) => ({ kind: "raw" as const, text: toJsonText(b), contentType: ct })) },
    { weight: 1, arbitrary: fc.constantFrom([0xff, 0xfe, 0x7b, 0x7d], [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d], [0xed, 0xa0, 0x80]).map((bytes) => ({ kind: "bytes" as const, bytes })) },
    { weight: 1, arbitrary: fc.constantFrom(256 * 1024 + 1, 1024 * 1024).map((bytes) => ({ kind: "oversize" as const, bytes })) },
    { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
  );
}

function paramsArb(spec: RouteSpec, w: FuzzWorld): fc.Arbitrary<Record<string, string>> {
  const names = pathParamNames(spec.route);
  const entries = names.map((n) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(w.paramPools[n] ?? ["1", "x"])) }, { weight: 1, arbitrary: hostileString }));
  return fc.tuple(...entries).map((vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]!])));
}

function queryArb(spec: RouteSpec, w: FuzzWorld): fc.Arbitrary<Record<string, string> | string> {
  const fields = fieldNames(spec.query);
  const sensible: Record<string, fc.Arbitrary<string>> = {
    namespace: fc.constantFrom(...w.namespaces),
    type: fc.constantFrom("boolean", "json"),
    archived: fc.constantFrom("true", "false"),
    limit: fc.constantFrom("1", "2", "500"),
    expectedVersion: fc.constantFrom("1", "2"),
    format: fc.constantFrom("csv", "json"),
    reason: fc.constantFrom("fuzz"),
    environment: fc.constantFrom(...w.environments),
    dryRun: fc.constantFrom("true", "false"),
  };
  const value = (k: string) => fc.oneof({ weight: 2, arbitrary: sensible[k] ?? hostileString }, { weight: 1, arbitrary: hostileString });
  const obj = fc
    .tuple(fc.subarray(fields), fc.dictionary(fc.oneof(fc.constantFrom("extra", "__proto__", "a/b"), fc.string({ maxLength: 6 })), hostileString, { maxKeys: 2 }))
    .chain(([keys, extra]) => fc.tuple(...keys.map((k) => value(k))).map((vals) => ({ ...Object.fromEntries(keys.map((k, i) => [k, vals[i]!])), ...extra })));
  return fc.oneof({ weight: 6, arbitrary: obj }, { weight: 1, arbitrary: fc.constantFrom("%", "a=%ZZ", "=&=&", "limit=1&limit=2", "x".repeat(4000), "%00=%00") });
}

const authArb = fc.oneof(
  { weight: 16, arbitrary: fc.constant("token" as const) },
  { weight: 3, arbitrary: fc.constant("session" as const) },
  { weight: 1, arbitrary: fc.constantFrom("demotedToken" as const, "orphanToken" as const, "stagingEditor" as const) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ unit: "binary-ascii", maxLength: 60 }), fc.constantFrom("Bearer", "Bearer ", "Bearer mf_admin_x", "Basic YTpi", "bearer  a b"))
      .map((h) => ({ header: h.replace(/[\u0000-\u001f\u007f]/g, "") })),
  },
);

export function requestArb(spec: RouteSpec, w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc.record({ params: paramsArb(spec, w), query: queryArb(spec, w), body: bodyPlan(spec, w), auth: authArb }).map((r) => ({ ...r, note: "" }));
}
