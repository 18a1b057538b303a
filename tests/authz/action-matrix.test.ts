import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionDef } from "../../lib/actions/define-action";
import { runAction } from "../../lib/actions/define-action";
import * as apiTokenDefs from "../../lib/api-tokens/actions";
import * as environmentDefs from "../../lib/environments/actions";
import * as flagDefs from "../../lib/flags/actions";
import * as namespaceDefs from "../../lib/namespaces/actions";
import * as outboxDefs from "../../lib/outbox/actions";
import * as ruleDefs from "../../lib/rules/actions";
import * as segmentDefs from "../../lib/segments/actions";
import { createSegment, updateSegment } from "../../lib/segments/segment-verbs";
import { setTargeting } from "../../lib/rules/targeting-verbs";
import * as sdkKeyDefs from "../../lib/sdk-keys/actions";
import * as userDefs from "../../lib/users/actions";
import * as valueDefs from "../../lib/values/actions";
import { hashPassword } from "../../lib/auth/password";
import { actorFromCookies } from "../../lib/auth/session";
import { SESSION_COOKIE } from "../../lib/auth/session-token";
import { getDb } from "../../lib/db/client";
import { users } from "../../lib/db/schema";
import { createServiceContext } from "../../lib/http/service-context";
import type { ServiceContext } from "../../lib/core/context";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { eq } from "drizzle-orm";
import { changedTables, diffFingerprints, fingerprint, settle } from "../support/fingerprint";
import { pointAppAt, resetAppSingletons } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { freshFlag, freshNamespace, freshToken, makeUser, seedWorld, systemCtx } from "./world";

/**
 * Guarantee (invariant 5 for the console): every server action, run by every kind of console
 * session, succeeds only where the role allows it; every other run returns a refusal (signed out,
 * forbidden, or not found where existence is hidden) and changes nothing in MySQL or etcd.
 *
 * Actions are run through runAction() with the ServiceContext built exactly as the "use server"
 * entry points build it (session cookie -> actorFromCookies -> createServiceContext); a static check
 * below makes sure every exported server action is a one-line perform(def) over a definition that
 * this table covers. The expected table is written out by hand from the role ladder.
 */
const ACTORS = ["super", "nsAdmin", "editor", "stagingEditor", "reviewer", "viewer", "otherNs", "disabled", "staleSession", "anonymous"] as const;
type Actor = (typeof ACTORS)[number];

const SIGNED_OUT: Actor[] = ["disabled", "staleSession", "anonymous"];
const SIGNED_IN: Actor[] = ["super", "nsAdmin", "editor", "stagingEditor", "reviewer", "viewer", "otherNs"];
const SUPER: Actor[] = ["super"];
const ALPHA_WRITERS: Actor[] = ["super", "nsAdmin", "editor", "stagingEditor"];
const ALPHA_PROD_WRITERS: Actor[] = ["super", "nsAdmin", "editor"];
const ALPHA_ADMINS: Actor[] = ["super", "nsAdmin"];
const BETA_ADMINS: Actor[] = ["super", "otherNs"];
/** Callers with no role in alpha (refusals about alpha may be 404, existence hidden). */
const NOT_IN_ALPHA: Actor[] = ["otherNs"];
const NOT_IN_BETA: Actor[] = ["nsAdmin", "editor", "stagingEditor", "reviewer", "viewer"];

type AnyDef = ActionDef<never, unknown>;

/** Every action definition module, by entity folder (lib/<entity>/actions.ts). */
const DEF_MODULES: Record<string, Record<string, AnyDef>> = {
  "api-tokens": apiTokenDefs,
  environments: environmentDefs,
  flags: flagDefs,
  namespaces: namespaceDefs,
  outbox: outboxDefs,
  rules: ruleDefs,
  segments: segmentDefs,
  "sdk-keys": sdkKeyDefs,
  users: userDefs,
  values: valueDefs,
} as unknown as Record<string, Record<string, AnyDef>>;
const LIB = path.resolve(import.meta.dirname, "../../lib");
/** Every .ts file under lib/, relative to it (tests excluded). */
function libFiles(dir = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return libFiles(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path.relative(LIB, full)] : [];
  });
}
interface Op {
  name: string;
  def: AnyDef;
  allowed: Actor[];
  foreign?: Actor[];
  hidden?: boolean;
  /** False for actions that may legitimately change nothing when allowed (retry with an empty queue). */
  mutates?: boolean;
  input(actor: Actor): Promise<unknown> | unknown;
}

const PASSWORD = "correct horse battery staple";
const slug = (a: Actor) => a.toLowerCase();
let env: TestEnv;
const cookies: Partial<Record<Actor, string>> = {};
const userIds: Partial<Record<Actor, number>> = {};
const results = { cases: 0, allowed: 0, refused: 0 };
const violations: string[] = [];
const def = (d: unknown) => d as AnyDef;

type UserGrants = NonNullable<NonNullable<Parameters<typeof makeUser>[2]>["grants"]>;

async function targetUser(name: string, grants: UserGrants = []): Promise<number> {
  return (await makeUser(env.db, `${name}@target.test`, { grants })).id;
}

const OPS: Op[] = [
  // A new flag starts serving in every environment, so environment-limited editors may not create one.
  { name: "create flag in alpha", def: def(flagDefs.createFlagAction), allowed: ALPHA_PROD_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: `new-${slug(a)}`, type: "boolean" }) },
  { name: "update alpha flag", def: def(flagDefs.updateFlagAction), allowed: ALPHA_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", description: `by ${a}` }) },
  // The default is what environments created later serve (production ones too): issue 12 item 8.
  { name: "change alpha flag default value", def: def(flagDefs.updateFlagAction), allowed: ALPHA_PROD_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", defaultValueJson: String(a.length % 2 === 0) }) },
  { name: "set alpha value in staging", def: def(valueDefs.setFlagValueAction), allowed: ALPHA_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", environment: "staging", value: a.length % 2 === 0 }) },
  { name: "set alpha value in production", def: def(valueDefs.setFlagValueAction), allowed: ALPHA_PROD_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", environment: "production", valueJson: String(a.length % 2 === 1) }) },
  { name: "set beta value", def: def(valueDefs.setFlagValueAction), allowed: BETA_ADMINS, foreign: NOT_IN_BETA, input: (a) => ({ namespace: "beta", key: "secret", environment: "staging", value: a.length % 2 === 0 }) },
  {
    name: "archive alpha flag",
    def: def(flagDefs.archiveFlagAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `arch-${slug(a)}`, "boolean");
      return { namespace: "alpha", key: `arch-${slug(a)}`, archived: "on" };
    },
  },
  {
    name: "delete alpha flag",
    def: def(flagDefs.deleteFlagAction),
    allowed: ALPHA_ADMINS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `del-${slug(a)}`, "boolean");
      return { namespace: "alpha", key: `del-${slug(a)}`, confirm: `del-${slug(a)}` };
    },
  },
  {
    name: "roll back alpha production value",
    def: def(valueDefs.rollbackFlagValueAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `rbp-${slug(a)}`);
      return { namespace: "alpha", key: `rbp-${slug(a)}`, environment: "production", toVersion: "1" };
    },
  },
  {
    name: "roll back alpha staging value",
    def: def(valueDefs.rollbackFlagValueAction),
    allowed: ALPHA_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `rbs-${slug(a)}`);
      return { namespace: "alpha", key: `rbs-${slug(a)}`, environment: "staging", toVersion: "1" };
    },
  },
  // Rules (issue 14): flag:write on the environment, as a value write.
  { name: "set alpha rules in staging", def: def(ruleDefs.setTargetingAction), allowed: ALPHA_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", environment: "staging", rules: [{ name: `by ${a}`, serve: { value: true } }] }) },
  { name: "set alpha rules in production", def: def(ruleDefs.setTargetingAction), allowed: ALPHA_PROD_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: "toggle", environment: "production", rules: [{ name: `by ${a}`, gate: { percentage: 30 }, serve: { value: true } }] }) },
  { name: "set beta rules", def: def(ruleDefs.setTargetingAction), allowed: BETA_ADMINS, foreign: NOT_IN_BETA, input: (a) => ({ namespace: "beta", key: "secret", environment: "staging", enabled: a.length % 2 === 0 }) },
  // Rules rollback: as a rules save there (and reading the history); the flag's rules were saved once (version 2).
  {
    name: "roll back alpha rules in staging",
    def: def(ruleDefs.rollbackTargetingAction),
    allowed: ALPHA_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `rrs-${slug(a)}`, "boolean");
      await setTargeting({ ctx: systemCtx(), input: { namespace: "alpha", key: `rrs-${slug(a)}`, environment: "staging", enabled: false } });
      return { namespace: "alpha", key: `rrs-${slug(a)}`, environment: "staging", toVersion: "1" };
    },
  },
  {
    name: "roll back alpha rules in production",
    def: def(ruleDefs.rollbackTargetingAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await freshFlag("alpha", `rrp-${slug(a)}`, "boolean");
      await setTargeting({ ctx: systemCtx(), input: { namespace: "alpha", key: `rrp-${slug(a)}`, environment: "production", enabled: false } });
      return { namespace: "alpha", key: `rrp-${slug(a)}`, environment: "production", toVersion: "1" };
    },
  },
  // Segments are served in every environment: flag:write on all of them.
  { name: "create alpha segment", def: def(segmentDefs.createSegmentAction), allowed: ALPHA_PROD_WRITERS, foreign: NOT_IN_ALPHA, input: (a) => ({ namespace: "alpha", key: `seg-${slug(a)}`, constraints: [{ contextName: "country", operator: "IN", values: ["JP"] }] }) },
  {
    name: "update alpha segment",
    def: def(segmentDefs.updateSegmentAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await createSegment({ ctx: systemCtx(), input: { namespace: "alpha", key: `useg-${slug(a)}`, constraints: [] } });
      return { namespace: "alpha", segmentKey: `useg-${slug(a)}`, constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }] };
    },
  },
  {
    name: "roll back alpha segment",
    def: def(segmentDefs.rollbackSegmentAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await createSegment({ ctx: systemCtx(), input: { namespace: "alpha", key: `rseg-${slug(a)}`, constraints: [] } });
      await updateSegment({ ctx: systemCtx(), input: { namespace: "alpha", segmentKey: `rseg-${slug(a)}`, name: "changed" } });
      return { namespace: "alpha", segmentKey: `rseg-${slug(a)}`, toVersion: "1" };
    },
  },
  {
    name: "delete alpha segment",
    def: def(segmentDefs.deleteSegmentAction),
    allowed: ALPHA_PROD_WRITERS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      await createSegment({ ctx: systemCtx(), input: { namespace: "alpha", key: `dseg-${slug(a)}`, constraints: [] } });
      return { namespace: "alpha", segmentKey: `dseg-${slug(a)}` };
    },
  },
  { name: "create namespace", def: def(namespaceDefs.createNamespaceAction), allowed: SUPER, input: (a) => ({ key: `made-by-${slug(a)}`, name: "N" }) },
  { name: "rename alpha", def: def(namespaceDefs.updateNamespaceAction), allowed: ALPHA_ADMINS, foreign: NOT_IN_ALPHA, input: (a) => ({ key: "alpha", name: `Alpha by ${a}` }) },
  {
    name: "delete empty namespace",
    def: def(namespaceDefs.deleteNamespaceAction),
    allowed: SUPER,
    async input(a) {
      await freshNamespace(`gone-${slug(a)}`);
      return { key: `gone-${slug(a)}`, confirm: `gone-${slug(a)}` };
    },
  },
  { name: "create environment", def: def(environmentDefs.createEnvironmentAction), allowed: SUPER, input: (a) => ({ key: `env-${slug(a)}`, name: "E" }) },
  { name: "create alpha api token", def: def(apiTokenDefs.createApiTokenAction), allowed: ALPHA_ADMINS, input: (a) => ({ name: `t-${a}`, role: "admin", namespaces: "alpha" }) },
  { name: "create every-namespace api token", def: def(apiTokenDefs.createApiTokenAction), allowed: SUPER, input: (a) => ({ name: `all-${a}`, role: "viewer", allNamespaces: "on" }) },
  { name: "create super-admin api token", def: def(apiTokenDefs.createApiTokenAction), allowed: SUPER, input: (a) => ({ name: `su-${a}`, role: "admin", superAdmin: "on" }) },
  {
    name: "revoke alpha api token",
    def: def(apiTokenDefs.revokeApiTokenAction),
    allowed: ALPHA_ADMINS,
    foreign: NOT_IN_ALPHA,
    async input(a) {
      return { id: String((await freshToken({ name: `victim-${a}`, role: "viewer", namespaces: ["alpha"] })).id) };
    },
  },
  { name: "retry dead letters", def: def(outboxDefs.retryDeadLettersAction), allowed: SUPER, mutates: false, input: () => ({}) },
  { name: "create alpha sdk key", def: def(sdkKeyDefs.createSdkKeyAction), allowed: ALPHA_ADMINS, input: (a) => ({ name: `k-${a}`, environment: "production", namespaces: "alpha" }) },
  { name: "create every-namespace sdk key", def: def(sdkKeyDefs.createSdkKeyAction), allowed: SUPER, input: (a) => ({ name: `kall-${a}`, environment: "production", allNamespaces: "on" }) },
  { name: "create beta sdk key", def: def(sdkKeyDefs.createSdkKeyAction), allowed: BETA_ADMINS, input: (a) => ({ name: `kb-${a}`, environment: "staging", namespaces: ["beta"] }) },
  {
    name: "revoke alpha sdk key",
    def: def(sdkKeyDefs.revokeSdkKeyAction),
    allowed: ALPHA_ADMINS,
    hidden: true,
    async input(a) {
      const made = await createSdkKey({ ctx: systemCtx(), input: { name: `victim-${a}`, environment: "production", namespaces: ["alpha"] } });
      return { id: made.sdkKey.id };
    },
  },
  { name: "create user", def: def(userDefs.createUserAction), allowed: SUPER, input: (a) => ({ email: `made-by-${slug(a)}@example.test`, name: "New", password: PASSWORD }) },
  { name: "rename another user", def: def(userDefs.updateUserAction), allowed: SUPER, input: async (a) => ({ userId: String(await targetUser(`upd-${slug(a)}`)), name: `renamed by ${a}` }) },
  { name: "make oneself super-admin", def: def(userDefs.updateUserAction), allowed: SUPER, input: (a) => ({ userId: String(userIds[a] ?? 999_999), isSuperAdmin: "on" }) },
  { name: "disable another user", def: def(userDefs.updateUserAction), allowed: SUPER, input: async (a) => ({ userId: String(await targetUser(`dis-${slug(a)}`)), disabled: "true" }) },
  { name: "reset another user's password", def: def(userDefs.setUserPasswordAction), allowed: SUPER, input: async (a) => ({ userId: String(await targetUser(`pw-${slug(a)}`)), password: "another long password" }) },
  { name: "grant viewer in alpha", def: def(userDefs.grantRoleAction), allowed: ALPHA_ADMINS, foreign: NOT_IN_ALPHA, input: async (a) => ({ userId: String(await targetUser(`ga-${slug(a)}`)), namespace: "alpha", role: "viewer" }) },
  { name: "grant oneself admin in alpha", def: def(userDefs.grantRoleAction), allowed: ALPHA_ADMINS, foreign: NOT_IN_ALPHA, input: (a) => ({ userId: String(userIds[a] ?? 999_999), namespace: "alpha", role: "admin" }) },
  { name: "grant viewer everywhere", def: def(userDefs.grantRoleAction), allowed: SUPER, input: async (a) => ({ userId: String(await targetUser(`ge-${slug(a)}`)), namespace: "*", role: "viewer" }) },
  { name: "grant editor in beta", def: def(userDefs.grantRoleAction), allowed: BETA_ADMINS, foreign: NOT_IN_BETA, input: async (a) => ({ userId: String(await targetUser(`gb-${slug(a)}`)), namespace: "beta", role: "editor" }) },
  {
    name: "revoke a role in alpha",
    def: def(userDefs.revokeRoleAction),
    allowed: ALPHA_ADMINS,
    foreign: NOT_IN_ALPHA,
    input: async (a) => ({ userId: String(await targetUser(`ra-${slug(a)}`, [{ namespace: "alpha", role: "editor" }])), namespace: "alpha" }),
  },
  // Last: it ends the caller's own session (the password fingerprint changes).
  { name: "change one's own password", def: def(userDefs.setUserPasswordAction), allowed: SIGNED_IN, input: (a) => ({ userId: String(userIds[a] ?? 999_999), password: "a brand new long password", currentPassword: PASSWORD }) },
];

/** The ServiceContext exactly as lib/actions/session-context.ts builds it, minus next/headers. */
async function ctxFor(actor: Actor): Promise<ServiceContext | null> {
  const cookie = cookies[actor];
  if (!cookie) return null;
  const a = await actorFromCookies(getDb(), new Map([[SESSION_COOKIE, cookie]]));
  return a ? createServiceContext(a, { ip: "127.0.0.1", traceId: `authz-${actor}` }) : null;
}

beforeAll(async () => {
  env = await createTestEnv();
  pointAppAt(env);
  await seedWorld();
  const passwordHash = await hashPassword(PASSWORD, 4);
  const grants: Record<Actor, Parameters<typeof makeUser>[2]> = {
    super: { superAdmin: true },
    nsAdmin: { grants: [{ namespace: "alpha", role: "admin" }] },
    editor: { grants: [{ namespace: "alpha", role: "editor" }] },
    stagingEditor: { grants: [{ namespace: "alpha", role: "editor", environments: ["staging"] }] },
    reviewer: { grants: [{ namespace: "alpha", role: "reviewer" }] },
    viewer: { grants: [{ namespace: "alpha", role: "viewer" }] },
    otherNs: { grants: [{ namespace: "beta", role: "admin" }] },
    disabled: { superAdmin: true },
    staleSession: { superAdmin: true },
    anonymous: {},
  };
  for (const a of ACTORS) {
    if (a === "anonymous") continue;
    const u = await makeUser(env.db, `${slug(a)}@example.test`, { ...grants[a], passwordHash });
    cookies[a] = u.cookie;
    userIds[a] = u.id;
  }
  // A disabled account, and a session issued before a password change: both must count as signed out.
  await env.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, userIds.disabled!));
  await env.db.update(users).set({ passwordHash: await hashPassword("changed since sign-in", 4) }).where(eq(users.id, userIds.staleSession!));
}, 60_000);

afterAll(async () => {
  console.log(`authz actions cases=${results.cases} violations=${violations.length} (operations=${OPS.length} x sessions=${ACTORS.length}; allowed=${results.allowed} refused=${results.refused})`);
  await resetAppSingletons();
  await env?.cleanup();
});

function expectedRefusals(op: Op, actor: Actor): string[] {
  if (SIGNED_OUT.includes(actor)) return ["unauthenticated"];
  if (op.hidden) return ["not_found"];
  return op.foreign?.includes(actor) ? ["forbidden", "not_found"] : ["forbidden"];
}

async function runCase(op: Op, actor: Actor): Promise<void> {
  const input = await op.input(actor);
  await settle(env.db);
  const before = await fingerprint(env.db, env.etcd.root);
  const result = await runAction(op.def, input, await ctxFor(actor));
  results.cases++;
  const where = `${op.name} (${op.def.name}) as ${actor}`;
  if (op.allowed.includes(actor)) {
    results.allowed++;
    if (!result.ok) {
      violations.push(`${where}: expected success, got ${result.code}: ${result.message}`);
      return;
    }
    await settle(env.db, before.tables.outbox_events?.maxId ?? 0);
    const after = await fingerprint(env.db, env.etcd.root);
    const changed = changedTables(before, after);
    if (op.mutates !== false && !changed.size) violations.push(`${where}: succeeded but changed nothing`);
    if (changed.size && (after.tables.audit_events?.rows ?? 0) <= (before.tables.audit_events?.rows ?? 0)) violations.push(`${where}: succeeded without an audit row`);
    return;
  }
  results.refused++;
  const want = expectedRefusals(op, actor);
  if (result.ok) violations.push(`${where}: expected ${want.join("/")}, but it succeeded`);
  else if (!want.includes(result.code)) violations.push(`${where}: expected ${want.join("/")}, got ${result.code}: ${result.message}`);
  const after = await fingerprint(env.db, env.etcd.root);
  const diff = diffFingerprints(before, after);
  if (diff.length) violations.push(`${where}: refused but changed ${diff.join(", ")}`);
}

describe("authorisation matrix: console server actions", () => {
  it("covers every action definition", () => {
    const covered = new Set(OPS.map((o) => o.def));
    const defs = Object.values(DEF_MODULES).flatMap((m) => Object.values(m));
    expect(defs.filter((d) => !covered.has(d)).map((d) => d.name)).toEqual([]);
    // Definition modules added later must be imported above (and get rows in OPS).
    const folders = readdirSync(LIB).filter((d) => existsSync(path.join(LIB, d, "actions.ts")));
    expect(folders.sort()).toEqual(Object.keys(DEF_MODULES).sort());
  });

  it("every server action is a plain perform() of a covered definition, and every definition has one", () => {
    const covered = new Set(OPS.map((o) => o.def));
    const served = new Set<AnyDef>();
    const problems: string[] = [];
    for (const f of libFiles()) {
      const src = readFileSync(path.join(LIB, f), "utf8");
      if (!/^["']use server["'];?/m.test(src)) continue;
      // "use server" modules live beside their definitions: lib/<entity>/server-actions.ts.
      const m = /^([^/]+)\/server-actions\.ts$/.exec(f);
      const mod = m ? DEF_MODULES[m[1]!] : undefined;
      if (!mod) {
        problems.push(`${f}: a "use server" module outside lib/<entity>/server-actions.ts`);
        continue;
      }
      if (!/import \* as defs from "\.\/actions";/.test(src)) problems.push(`${f}: does not import its definitions as defs from ./actions`);
      for (const e of src.matchAll(/export\s+(?:async\s+)?function\s+(\w+)[^{]*\{([^}]*)\}/g)) {
        const target = /^\s*return\s+perform\(\s*defs\.(\w+)\s*,\s*input\s*\);?\s*$/.exec(e[2]!)?.[1];
        const d = target ? mod[target] : undefined;
        if (!d) problems.push(`${f}: ${e[1]} is not perform(defs.<definition>, input)`);
        else if (!covered.has(d)) problems.push(`${f}: ${e[1]} has no row in OPS`);
        else served.add(d);
      }
      // Nothing else may be exported: a "use server" export is callable from any browser.
      const exports = [...src.matchAll(/^export\s+(?!async function)/gm)];
      if (exports.length) problems.push(`${f}: exports something other than async functions`);
    }
    const defs = Object.values(DEF_MODULES).flatMap((mod) => Object.values(mod));
    for (const d of defs) if (!served.has(d)) problems.push(`${d.name}: no server action performs it`);
    expect(problems).toEqual([]);
  });

  it.each(OPS.map((op) => [op.name, op] as const))("%s", async (_name, op) => {
    const start = violations.length;
    for (const actor of ACTORS) await runCase(op, actor);
    expect(violations.slice(start)).toEqual([]);
  });
});
