import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, seedConsoleFixture, snapshotDb, type ConsoleFixture, type FixtureRole } from "../../tests/support/console-fixtures";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { createApiToken } from "../api-tokens/create-api-token";
import { createFlag } from "../flags/create-flag";
import { setFlagValue } from "../values/set-flag-value";
import { createNamespace } from "../namespaces/namespace-verbs";
import { createSdkKey } from "../sdk-keys/create-sdk-key";
import { createUser } from "../users/user-verbs";
import { runAction, type ActionDef } from "./define-action";
import * as apiTokens from "../api-tokens/actions";
import * as environments from "../environments/actions";
import * as flags from "../flags/actions";
import * as namespaces from "../namespaces/actions";
import * as outbox from "../outbox/actions";
import * as sdkKeys from "../sdk-keys/actions";
import * as users from "../users/actions";
import * as values from "../values/actions";

/**
 * Guarantee: every server action is refused on the server for every role that may not perform it,
 * and a refused action changes nothing anywhere (every row of every table is identical before and
 * after, including the audit log and the outbox). Roles that may perform it succeed.
 *
 * Each case gets its own target where an allowed run would otherwise disturb the next role's case
 * (flags to delete, namespaces to remove, tokens to revoke...), named after the role.
 */
type Case = {
  action: ActionDef<never, unknown>;
  allowed: FixtureRole[];
  input: (role: FixtureRole) => unknown;
  /** How the refusal is reported: 403, or 404 where the verb does not reveal that the target exists. */
  refusal?: "forbidden" | "not_found";
};

const WRITERS: FixtureRole[] = ["super", "nsAdmin", "editor", "devEditor"];
const PROD_WRITERS: FixtureRole[] = ["super", "nsAdmin", "editor"];
const NS_ADMINS: FixtureRole[] = ["super", "nsAdmin"];
const SUPER: FixtureRole[] = ["super"];
const slug = (r: FixtureRole) => r.toLowerCase();

let env: TestEnv;
let fx: ConsoleFixture;
const tokenIds = {} as Record<FixtureRole, number>;
const sdkKeyIds = {} as Record<FixtureRole, number>;
/** A user who is none of the actors, so no case is someone acting on themselves. */
let targetUserId: number;

const CASES: Record<string, Case> = {
  createFlag: { action: flags.createFlagAction as never, allowed: PROD_WRITERS, input: (r) => ({ namespace: "alpha", key: `new-${slug(r)}`, type: "boolean" }) },
  updateFlag: { action: flags.updateFlagAction as never, allowed: WRITERS, input: (r) => ({ namespace: "alpha", key: "toggle", description: `by ${r}` }) },
  setValueProduction: { action: values.setFlagValueAction as never, allowed: PROD_WRITERS, input: (r) => ({ namespace: "alpha", key: "toggle", environment: "production", value: r.length % 2 === 0 }) },
  setValueDev: { action: values.setFlagValueAction as never, allowed: WRITERS, input: (r) => ({ namespace: "alpha", key: "toggle", environment: "dev", valueJson: String(r.length % 2 === 1) }) },
  setValueOtherNamespace: { action: values.setFlagValueAction as never, allowed: SUPER, input: () => ({ namespace: "beta", key: "secret-toggle", environment: "dev", value: true }) },
  archiveFlag: { action: flags.archiveFlagAction as never, allowed: PROD_WRITERS, input: (r) => ({ namespace: "alpha", key: `arch-${slug(r)}`, archived: "on" }) },
  deleteFlag: { action: flags.deleteFlagAction as never, allowed: NS_ADMINS, input: (r) => ({ namespace: "alpha", key: `del-${slug(r)}`, confirm: `del-${slug(r)}` }) },
  rollbackProduction: { action: values.rollbackFlagValueAction as never, allowed: PROD_WRITERS, input: (r) => ({ namespace: "alpha", key: `rb-${slug(r)}`, environment: "production", toVersion: 1 }) },
  createNamespace: { action: namespaces.createNamespaceAction as never, allowed: SUPER, input: (r) => ({ key: `ns-${slug(r)}`, name: "N" }) },
  updateNamespace: { action: namespaces.updateNamespaceAction as never, allowed: NS_ADMINS, input: (r) => ({ key: "alpha", name: `Alpha by ${r}` }) },
  deleteNamespace: { action: namespaces.deleteNamespaceAction as never, allowed: SUPER, input: (r) => ({ key: `gone-${slug(r)}`, confirm: `gone-${slug(r)}` }) },
  createEnvironment: { action: environments.createEnvironmentAction as never, allowed: SUPER, input: (r) => ({ key: `env-${slug(r)}`, name: "E" }) },
  createApiToken: { action: apiTokens.createApiTokenAction as never, allowed: NS_ADMINS, input: (r) => ({ name: `t-${r}`, role: "editor", namespaces: "alpha" }) },
  revokeApiToken: { action: apiTokens.revokeApiTokenAction as never, allowed: NS_ADMINS, input: (r) => ({ id: String(tokenIds[r]) }) },
  createSdkKey: { action: sdkKeys.createSdkKeyAction as never, allowed: NS_ADMINS, input: (r) => ({ name: `k-${r}`, environment: "dev", namespaces: ["alpha"] }) },
  createSdkKeyAllNamespaces: { action: sdkKeys.createSdkKeyAction as never, allowed: SUPER, input: (r) => ({ name: `all-${r}`, environment: "dev", allNamespaces: "on" }) },
  revokeSdkKey: { action: sdkKeys.revokeSdkKeyAction as never, allowed: NS_ADMINS, refusal: "not_found", input: (r) => ({ id: sdkKeyIds[r] }) },
  retryDeadLetters: { action: outbox.retryDeadLettersAction as never, allowed: SUPER, input: () => ({}) },
  createUser: { action: users.createUserAction as never, allowed: SUPER, input: (r) => ({ email: `made-by-${slug(r)}@example.test`, name: "New", password: "a long enough password" }) },
  updateUser: { action: users.updateUserAction as never, allowed: SUPER, input: (r) => ({ userId: targetUserId, name: `renamed by ${r}` }) },
  resetPassword: { action: users.setUserPasswordAction as never, allowed: SUPER, input: () => ({ userId: targetUserId, password: "another long password" }) },
  grantRoleInAlpha: { action: users.grantRoleAction as never, allowed: NS_ADMINS, input: () => ({ userId: targetUserId, namespace: "alpha", role: "viewer" }) },
  grantRoleEverywhere: { action: users.grantRoleAction as never, allowed: SUPER, input: () => ({ userId: fx.userIds.outsider, namespace: "*", role: "viewer" }) },
  revokeRoleInAlpha: { action: users.revokeRoleAction as never, allowed: NS_ADMINS, input: () => ({ userId: fx.userIds.viewer, namespace: "alpha" }) },
};

beforeAll(async () => {
  env = await createTestEnv();
  fx = await seedConsoleFixture(env);
  const sys = env.ctx();
  targetUserId = (await createUser({ ctx: sys, input: { email: "target@example.test", name: "Target" } })).id;
  for (const r of ROLES) {
    await createFlag({ ctx: sys, input: { namespace: "alpha", key: `arch-${slug(r)}`, type: "boolean" } });
    await createFlag({ ctx: sys, input: { namespace: "alpha", key: `del-${slug(r)}`, type: "boolean" } });
    await createFlag({ ctx: sys, input: { namespace: "alpha", key: `rb-${slug(r)}`, type: "number" } });
    await setFlagValue({ ctx: sys, input: { namespace: "alpha", key: `rb-${slug(r)}`, environment: "production", value: 42 } });
    await createNamespace({ ctx: sys, input: { key: `gone-${slug(r)}`, name: "G" } });
    sdkKeyIds[r] = (await createSdkKey({ ctx: sys, input: { name: `revoke-${r}`, environment: "production", namespaces: ["alpha"] } })).sdkKey.id;
    tokenIds[r] = (await createApiToken({ ctx: sys, input: { name: `revoke-${r}`, role: "viewer", namespaces: ["alpha"] } })).apiToken.id;
  }
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

describe("server actions: role x mutation", () => {
  for (const [name, c] of Object.entries(CASES)) {
    for (const role of ROLES) {
      const allowed = c.allowed.includes(role);
      it(`${name} as ${role} is ${allowed ? "allowed" : "refused and changes nothing"}`, async () => {
        const ctx = env.ctx(await fx.actor(role));
        const before = allowed ? null : await snapshotDb(env.db);
        const result = await runAction(c.action, c.input(role), ctx);
        if (allowed) {
          expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
        } else {
          expect(result, JSON.stringify(result)).toMatchObject({ ok: false, code: c.refusal ?? "forbidden" });
          expect(await snapshotDb(env.db)).toBe(before);
        }
      });
    }
  }
});

describe("server actions: the wrapper", () => {
  it("refuses without a session and changes nothing", async () => {
    const before = await snapshotDb(env.db);
    const result = await runAction(values.setFlagValueAction, { namespace: "alpha", key: "toggle", environment: "dev", value: true }, null);
    expect(result).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await snapshotDb(env.db)).toBe(before);
  });

  it("parses FormData and reports invalid fields by name, in words", async () => {
    const fd = new FormData();
    fd.set("key", "Not A Key");
    fd.set("name", "x");
    const result = await runAction(namespaces.createNamespaceAction, fd, env.ctx(await fx.actor("super")));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("validation_failed");
      expect(result.fieldErrors?.key).toMatch(/a-z/);
      expect(result.message).toMatch(/^Please check your input/);
    }
  });

  it("maps a version conflict to a plain 409 message that names the current version", async () => {
    const ctx = env.ctx(await fx.actor("editor"));
    const result = await runAction(values.setFlagValueAction, { namespace: "alpha", key: "toggle", environment: "dev", value: true, expectedVersion: 1 }, ctx);
    expect(result).toMatchObject({ ok: false, code: "conflict" });
    if (!result.ok) expect(result.message).toMatch(/changed by someone else.*Nothing was saved/);
  });

  it("explains a refusal without permission jargon", async () => {
    const result = await runAction(values.setFlagValueAction, { namespace: "alpha", key: "toggle", environment: "production", value: true }, env.ctx(await fx.actor("devEditor")));
    expect(result).toMatchObject({ ok: false, code: "forbidden", message: "Your role does not allow you to change flags in alpha / production." });
  });

  it("requires the flag key typed again before deleting", async () => {
    const before = await snapshotDb(env.db);
    const result = await runAction(flags.deleteFlagAction, { namespace: "alpha", key: "toggle", confirm: "nope" }, env.ctx(await fx.actor("super")));
    expect(result).toMatchObject({ ok: false, code: "validation_failed", fieldErrors: { confirm: "must be the flag key, typed again to confirm" } });
    expect(await snapshotDb(env.db)).toBe(before);
  });

  it("names a form field whose JSON text does not parse, and saves nothing", async () => {
    const before = await snapshotDb(env.db);
    const fd = new FormData();
    for (const [k, v] of Object.entries({ namespace: "alpha", key: "toggle", environment: "dev", valueJson: "{nope" })) fd.set(k, v);
    const result = await runAction(values.setFlagValueAction, fd, env.ctx(await fx.actor("super")));
    expect(result).toMatchObject({ ok: false, code: "validation_failed", fieldErrors: { valueJson: "is not valid JSON" } });
    expect(await snapshotDb(env.db)).toBe(before);
  });

  it("validates with the verb's own schema: a flag type outside the verb's enum is refused by field", async () => {
    const result = await runAction(flags.createFlagAction, { namespace: "alpha", key: "typed", type: "colour" }, env.ctx(await fx.actor("super")));
    expect(result).toMatchObject({ ok: false, code: "validation_failed" });
    if (!result.ok) expect(Object.keys(result.fieldErrors ?? {})).toEqual(["type"]);
  });

  it("ignores form fields the action does not read (the verbs' schemas are strict)", async () => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ namespace: "alpha", key: "extra-fields", type: "boolean", description: "", submit: "Create" })) fd.set(k, v);
    const result = await runAction(flags.createFlagAction, fd, env.ctx(await fx.actor("super")));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, data: { key: "extra-fields", description: null } });
  });
});
