import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_ROUTES, apiTokenRoutes, auditRoutes, environmentRoutes, flagRoutes, namespaceRoutes, outboxRoutes, sdkKeyRoutes, systemRoutes, userRoutes, valueRoutes } from "../../lib/http/api-registry";
import type { RouteSpec } from "../../lib/http/route-spec";
import { consoleRoutes } from "../../lib/console/api";
import { importRoutes } from "../../lib/import/api";
import { ruleRoutes } from "../../lib/rules/api";
import { segmentRoutes } from "../../lib/segments/api";
import { createSegment, updateSegment } from "../../lib/segments/segment-verbs";
import { setTargeting } from "../../lib/rules/targeting-verbs";
import { loadUserActor } from "../../lib/auth/session-actor";
import { createServiceContext } from "../../lib/http/service-context";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { revokeApiToken } from "../../lib/api-tokens/revoke-api-token";
import { grantRole } from "../../lib/users/membership-verbs";
import { updateUser } from "../../lib/users/user-verbs";
import { createSdkKey } from "../../lib/sdk-keys/create-sdk-key";
import { changedTables, diffFingerprints, fingerprint, settle } from "../support/fingerprint";
import { callRoute, pointAppAt, resetAppSingletons, type Credential, type RouteCall, type RouteResult } from "../support/route-client";
import { createTestEnv, type TestEnv } from "../support/test-env";
import { expireToken, freshFlag, freshNamespace, freshToken, makeUser, seedWorld, systemCtx } from "./world";

/**
 * Guarantee (invariants 2 and 5): every admin route, called by every kind of caller, succeeds only
 * where the caller's role allows it; every other call is refused (401 without a valid credential,
 * 403, or 404 where the caller has no role in the namespace) and changes nothing in MySQL or etcd.
 * Lists never show namespaces, flags or tokens outside the caller's reach.
 *
 * The expected table below is written out by hand from the role ladder (lib/auth/permissions.ts):
 * viewer < reviewer < editor < admin per namespace; editors may be limited to some environments,
 * and then may not make any change to what another environment serves (values there, creating or
 * archiving a flag, which serve in every environment); super-admins do everything, including
 * environments, namespaces, every-namespace tokens and the outbox. It is not computed by the code
 * under test.
 */
const ACTORS = ["super", "nsAdmin", "editor", "stagingEditor", "reviewer", "viewer", "demotedToken", "otherNs", "crossSite", "expired", "revoked", "orphanToken", "anonymous"] as const;
type Actor = (typeof ACTORS)[number];

/**
 * demotedToken: an admin token of alpha whose creator is now only a viewer there (it acts as a
 * viewer); orphanToken: a super-admin token whose creator is disabled (it is refused). Issue 12
 * item 4: a token acts with at most its creator's current rights.
 */
const UNAUTHENTICATED: Actor[] = ["expired", "revoked", "orphanToken", "anonymous"];
const AUTHED: Actor[] = ["super", "nsAdmin", "editor", "stagingEditor", "reviewer", "viewer", "demotedToken", "otherNs", "crossSite"];
const EVERYONE: Actor[] = [...ACTORS];
/** crossSite is a super-admin's session cookie on a cross-site request: reads work, writes are CSRF. */
const SUPER_READ: Actor[] = ["super", "crossSite"];
const SUPER: Actor[] = ["super"];
const ALPHA_READERS: Actor[] = ["super", "crossSite", "nsAdmin", "editor", "stagingEditor", "reviewer", "viewer", "demotedToken"];
const ALPHA_WRITERS: Actor[] = ["super", "nsAdmin", "editor", "stagingEditor"];
const ALPHA_PROD_WRITERS: Actor[] = ["super", "nsAdmin", "editor"];
const ALPHA_ADMINS: Actor[] = ["super", "nsAdmin"];
const BETA_READERS: Actor[] = ["super", "crossSite", "otherNs"];
/** reviewer or better: may read the audit history of alpha. */
const ALPHA_AUDITORS: Actor[] = ["super", "crossSite", "nsAdmin", "editor", "stagingEditor", "reviewer"];
const BETA_ADMINS: Actor[] = ["super", "otherNs"];

/** Namespaces each caller may see in lists (null: sees nothing, "all": every namespace). */
const SEES: Record<Actor, "all" | string[] | null> = {
  super: "all",
  crossSite: "all",
  nsAdmin: ["alpha"],
  editor: ["alpha"],
  stagingEditor: ["alpha"],
  reviewer: ["alpha"],
  viewer: ["alpha"],
  demotedToken: ["alpha"],
  otherNs: ["beta"],
  expired: null,
  revoked: null,
  orphanToken: null,
  anonymous: null,
};
/** Namespaces whose audit history each caller may read ("all" includes system-wide events). */
const AUDITS: Record<Actor, "all" | string[]> = {
  super: "all",
  crossSite: "all",
  nsAdmin: ["alpha"],
  editor: ["alpha"],
  stagingEditor: ["alpha"],
  reviewer: ["alpha"],
  otherNs: ["beta"],
  viewer: [],
  demotedToken: [],
  expired: [],
  revoked: [],
  orphanToken: [],
  anonymous: [],
};

/**
 * A page holds at most the `max` items asked for and says where the next one starts (a page of
 * versions keeps one event's versions together: one per environment for a flag-level change).
 */
function boundedPage(json: Record<string, unknown>, field: string, max = 1): string[] {
  const items = json[field];
  if (!Array.isArray(items) || items.length > max) return [`${field} is not a page of at most ${max}: ${JSON.stringify(json).slice(0, 120)}`];
  return "nextCursor" in json ? [] : ["no nextCursor in a paged response"];
}

function auditLeak(actor: Actor, events: { namespace: string | null }[]): string[] {
  const may = AUDITS[actor];
  if (may === "all") return [];
  const bad = events.filter((e) => e.namespace === null || !may.includes(e.namespace));
  return bad.length ? [`audit shows ${bad.length} event(s) outside ${actor}'s reach (${[...new Set(bad.map((e) => e.namespace ?? "system-wide"))].join(", ")})`] : [];
}

type UserView = { email: string; memberships: { namespace: string | null }[] };

/** Users are listed to admins (to grant roles), with memberships only where the caller administers. */
function membershipLeak(actor: Actor, list: UserView[]): string[] {
  const may = MANAGES_TOKENS_IN[actor];
  if (may === "all") return [];
  const bad = list.flatMap((u) => u.memberships.filter((m) => m.namespace === null || !may.includes(m.namespace)).map((m) => `${u.email}@${m.namespace ?? "*"}`));
  return bad.length ? [`user view shows memberships outside ${actor}'s namespaces: ${bad.slice(0, 5).join(", ")}`] : [];
}

/** Namespaces in which each caller administers API tokens (token lists show only those). */
const MANAGES_TOKENS_IN: Record<Actor, "all" | string[]> = {
  super: "all",
  crossSite: "all",
  nsAdmin: ["alpha"],
  otherNs: ["beta"],
  editor: [],
  stagingEditor: [],
  reviewer: [],
  viewer: [],
  demotedToken: [],
  expired: [],
  revoked: [],
  orphanToken: [],
  anonymous: [],
};

interface Op {
  name: string;
  spec: RouteSpec;
  allowed: Actor[];
  /** Refusals of callers with no role in the target namespace may be 404 (existence hidden). */
  foreign?: Actor[];
  /** Where every refusal of a signed-in caller is deliberately a 404 (the target's existence is hidden). */
  hidden?: boolean;
  /** Builds the request; may seed a fresh target first (before the fingerprint is taken). */
  call(actor: Actor): Promise<RouteCall> | RouteCall;
  /** Extra checks on a successful response (list contents). */
  check?(actor: Actor, res: RouteResult): string[];
}

const slug = (a: Actor) => a.toLowerCase();

/** A segment of its own for one case (created as the system actor, before the fingerprint). */
async function freshSegment(namespace: string, key: string): Promise<void> {
  await createSegment({ ctx: systemCtx(), input: { namespace, key, constraints: [] } });
}

/** A fresh flag whose rules in `environment` were saved once (version 2), so a rules rollback to 1 has a target. */
async function freshRules(namespace: string, key: string, environment: string): Promise<void> {
  await freshFlag(namespace, key, "boolean");
  await setTargeting({ ctx: systemCtx(), input: { namespace, key, environment, rules: [{ constraints: [], serve: { value: true } }] } });
}

function namespacesLeak(actor: Actor, seen: string[]): string[] {
  const may = SEES[actor];
  if (may === "all") return [];
  const bad = seen.filter((ns) => !may?.includes(ns));
  return bad.length ? [`list shows namespaces ${[...new Set(bad)].join(", ")} to ${actor}`] : [];
}

const victimTokens: Partial<Record<Actor, number>> = {};
const victimSuperTokens: Partial<Record<Actor, number>> = {};

const OPS: Op[] = [
  { name: "list namespaces", spec: namespaceRoutes.list, allowed: AUTHED, call: () => ({}), check: (a, r) => namespacesLeak(a, r.json.namespaces.map((n: { key: string }) => n.key)) },
  { name: "create namespace", spec: namespaceRoutes.create, allowed: SUPER, call: (a) => ({ json: { key: `made-by-${slug(a)}`, name: "N" } }) },
  { name: "get alpha", spec: namespaceRoutes.get, allowed: ALPHA_READERS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha" } }) },
  { name: "get beta", spec: namespaceRoutes.get, allowed: BETA_READERS, foreign: ALPHA_READERS, call: () => ({ params: { namespace: "beta" } }) },
  { name: "rename alpha", spec: namespaceRoutes.update, allowed: ALPHA_ADMINS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha" }, json: { name: `Alpha by ${a}` } }) },
  { name: "rename beta", spec: namespaceRoutes.update, allowed: BETA_ADMINS, foreign: ALPHA_READERS, call: (a) => ({ params: { namespace: "beta" }, json: { name: `Beta by ${a}` } }) },
  {
    name: "delete empty namespace",
    spec: namespaceRoutes.delete,
    allowed: SUPER,
    async call(a) {
      await freshNamespace(`gone-${slug(a)}`);
      return { params: { namespace: `gone-${slug(a)}` } };
    },
  },
  { name: "list environments", spec: environmentRoutes.list, allowed: AUTHED, call: () => ({}) },
  { name: "create environment", spec: environmentRoutes.create, allowed: SUPER, call: (a) => ({ json: { key: `env-${slug(a)}`, name: "E" } }) },
  { name: "list flags", spec: flagRoutes.list, allowed: AUTHED, call: () => ({}), check: (a, r) => namespacesLeak(a, r.json.flags.map((f: { namespace: string }) => f.namespace)) },
  { name: "list flags of beta", spec: flagRoutes.list, allowed: AUTHED, call: () => ({ query: { namespace: "beta" } }), check: (a, r) => namespacesLeak(a, r.json.flags.map((f: { namespace: string }) => f.namespace)) },
  // A new flag starts serving in every environment, so environment-limited editors may not create one.
  { name: "create flag in alpha", spec: flagRoutes.create, allowed: ALPHA_PROD_WRITERS, foreign: ["otherNs"], call: (a) => ({ json: { namespace: "alpha", key: `new-${slug(a)}`, type: "boolean" } }) },
  {
    name: "create flag in alpha with a production value",
    spec: flagRoutes.create,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    call: (a) => ({ json: { namespace: "alpha", key: `prod-${slug(a)}`, type: "boolean", values: { production: true } } }),
  },
  { name: "create flag in beta", spec: flagRoutes.create, allowed: BETA_ADMINS, foreign: ALPHA_READERS, call: (a) => ({ json: { namespace: "beta", key: `new-${slug(a)}`, type: "boolean" } }) },
  { name: "get alpha flag", spec: flagRoutes.get, allowed: ALPHA_READERS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle" } }) },
  { name: "get beta flag", spec: flagRoutes.get, allowed: BETA_READERS, foreign: ALPHA_READERS, call: () => ({ params: { namespace: "beta", key: "secret" } }) },
  { name: "update alpha flag", spec: flagRoutes.update, allowed: ALPHA_WRITERS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha", key: "toggle" }, json: { description: `by ${a}` } }) },
  // The default is what environments created later serve (production ones too): issue 12 item 8.
  { name: "change alpha flag default value", spec: flagRoutes.update, allowed: ALPHA_PROD_WRITERS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha", key: "toggle" }, json: { defaultValue: a.length % 2 === 0 } }) },
  {
    name: "delete alpha flag",
    spec: flagRoutes.delete,
    allowed: ALPHA_ADMINS,
    foreign: ["otherNs"],
    async call(a) {
      await freshFlag("alpha", `del-${slug(a)}`, "boolean");
      return { params: { namespace: "alpha", key: `del-${slug(a)}` } };
    },
  },
  {
    // Archiving stops serving the flag in every environment, production included.
    name: "archive alpha flag",
    spec: flagRoutes.archive,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshFlag("alpha", `arch-${slug(a)}`, "boolean");
      return { params: { namespace: "alpha", key: `arch-${slug(a)}` }, json: { archived: true } };
    },
  },
  { name: "set alpha value in staging", spec: valueRoutes.setValue, allowed: ALPHA_WRITERS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha", key: "toggle", environment: "staging" }, json: { value: a.length % 2 === 0 } }) },
  { name: "set alpha value in production", spec: valueRoutes.setValue, allowed: ALPHA_PROD_WRITERS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha", key: "toggle", environment: "production" }, json: { value: a.length % 2 === 1 } }) },
  { name: "set beta value", spec: valueRoutes.setValue, allowed: BETA_ADMINS, foreign: ALPHA_READERS, call: (a) => ({ params: { namespace: "beta", key: "secret", environment: "staging" }, json: { value: a.length % 2 === 0 } }) },
  {
    name: "set alpha values in staging (bulk)",
    spec: valueRoutes.setValues,
    allowed: ALPHA_WRITERS,
    foreign: ["otherNs"],
    call: (a) => ({ json: { changes: [{ namespace: "alpha", key: "toggle", environment: "staging", value: a.length % 2 === 1 }] } }),
  },
  {
    // One change in production is enough to refuse the whole request to a staging-only editor.
    name: "set alpha values in staging and production (bulk)",
    spec: valueRoutes.setValues,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    call: (a) => ({
      json: {
        changes: [
          { namespace: "alpha", key: "toggle", environment: "staging", value: a.length % 2 === 0 },
          { namespace: "alpha", key: "toggle", environment: "production", value: a.length % 2 === 0 },
        ],
      },
    }),
  },
  {
    name: "set alpha and beta values (bulk)",
    spec: valueRoutes.setValues,
    allowed: SUPER,
    foreign: ["otherNs", ...ALPHA_READERS.filter((x) => x !== "super" && x !== "crossSite")],
    call: (a) => ({
      json: {
        changes: [
          { namespace: "alpha", key: "toggle", environment: "staging", value: a.length % 2 === 0 },
          { namespace: "beta", key: "secret", environment: "staging", value: a.length % 2 === 0 },
        ],
      },
    }),
  },
  {
    name: "list api tokens",
    spec: apiTokenRoutes.list,
    allowed: AUTHED,
    call: () => ({}),
    check(a, r) {
      const may = MANAGES_TOKENS_IN[a];
      if (may === "all") return [];
      const bad = r.json.tokens.filter((t: { superAdmin: boolean; namespaces: string[] | null }) => t.superAdmin || t.namespaces === null || !t.namespaces.every((ns) => may.includes(ns)));
      return bad.length ? [`token list shows ${bad.length} token(s) outside ${a}'s reach: ${bad.map((t: { name: string }) => t.name).join(", ")}`] : [];
    },
  },
  { name: "create alpha token", spec: apiTokenRoutes.create, allowed: ALPHA_ADMINS, call: (a) => ({ json: { name: `t-${a}`, role: "viewer", namespaces: ["alpha"] } }) },
  { name: "create alpha admin token", spec: apiTokenRoutes.create, allowed: ALPHA_ADMINS, call: (a) => ({ json: { name: `ta-${a}`, role: "admin", namespaces: ["alpha"] } }) },
  { name: "create every-namespace token", spec: apiTokenRoutes.create, allowed: SUPER, call: (a) => ({ json: { name: `all-${a}`, role: "viewer", namespaces: null } }) },
  { name: "create super-admin token", spec: apiTokenRoutes.create, allowed: SUPER, call: (a) => ({ json: { name: `su-${a}`, role: "admin", namespaces: null, superAdmin: true } }) },
  { name: "create beta token", spec: apiTokenRoutes.create, allowed: BETA_ADMINS, call: (a) => ({ json: { name: `tb-${a}`, role: "viewer", namespaces: ["beta"] } }) },
  {
    name: "revoke alpha token",
    spec: apiTokenRoutes.revoke,
    allowed: ALPHA_ADMINS,
    foreign: ["otherNs"],
    async call(a) {
      victimTokens[a] = (await freshToken({ name: `victim-${a}`, role: "editor", namespaces: ["alpha"] })).id;
      return { params: { id: String(victimTokens[a]) } };
    },
  },
  {
    name: "revoke super-admin token",
    spec: apiTokenRoutes.revoke,
    allowed: SUPER,
    foreign: ["nsAdmin", "otherNs"],
    async call(a) {
      victimSuperTokens[a] = (await freshToken({ name: `victim-su-${a}`, role: "admin", namespaces: null, superAdmin: true })).id;
      return { params: { id: String(victimSuperTokens[a]) } };
    },
  },
  {
    name: "list sdk keys",
    spec: sdkKeyRoutes.list,
    allowed: AUTHED,
    call: () => ({ query: { includeRevoked: "true" } }),
    check(a, r) {
      // A key is shown to admins of at least one namespace it reads (any team can cut off a key
      // reading its flags); every-namespace keys to super-admins only.
      const may = MANAGES_TOKENS_IN[a];
      if (may === "all") return [];
      const bad = r.json.sdkKeys.filter((k: { namespaces: string[] | null }) => k.namespaces === null || !k.namespaces.some((ns) => may.includes(ns)));
      return bad.length ? [`SDK key list shows ${bad.length} key(s) outside ${a}'s reach: ${bad.map((k: { name: string }) => k.name).join(", ")}`] : [];
    },
  },
  { name: "create alpha sdk key", spec: sdkKeyRoutes.create, allowed: ALPHA_ADMINS, call: (a) => ({ json: { name: `k-${a}`, environment: "production", namespaces: ["alpha"] } }) },
  { name: "create alpha+beta sdk key", spec: sdkKeyRoutes.create, allowed: SUPER, call: (a) => ({ json: { name: `kab-${a}`, environment: "production", namespaces: ["alpha", "beta"] } }) },
  { name: "create every-namespace sdk key", spec: sdkKeyRoutes.create, allowed: SUPER, call: (a) => ({ json: { name: `kall-${a}`, environment: "staging", namespaces: null } }) },
  { name: "create beta sdk key", spec: sdkKeyRoutes.create, allowed: BETA_ADMINS, call: (a) => ({ json: { name: `kb-${a}`, environment: "staging", namespaces: ["beta"] } }) },
  {
    name: "revoke alpha sdk key",
    spec: sdkKeyRoutes.revoke,
    allowed: ALPHA_ADMINS,
    hidden: true,
    async call(a) {
      const made = await createSdkKey({ ctx: systemCtx(), input: { name: `victim-${a}`, environment: "production", namespaces: ["alpha"] } });
      return { params: { id: String(made.sdkKey.id) } };
    },
  },
  {
    name: "revoke every-namespace sdk key",
    spec: sdkKeyRoutes.revoke,
    allowed: SUPER,
    hidden: true,
    async call(a) {
      const made = await createSdkKey({ ctx: systemCtx(), input: { name: `victim-all-${a}`, environment: "production", namespaces: null } });
      return { params: { id: String(made.sdkKey.id) } };
    },
  },
  // Users and roles.
  { name: "list users", spec: userRoutes.list, allowed: ["super", "crossSite", "nsAdmin", "otherNs"], call: () => ({}), check: (a, r) => membershipLeak(a, r.json.users) },
  { name: "get a user", spec: userRoutes.get, allowed: ["super", "crossSite", "nsAdmin", "otherNs"], call: () => ({ params: { id: String(targets.shared) } }), check: (a, r) => membershipLeak(a, [r.json]) },
  { name: "create user", spec: userRoutes.create, allowed: SUPER, call: (a) => ({ json: { email: `made-by-${slug(a)}@example.test`, name: "New" } }) },
  {
    name: "disable a user",
    spec: userRoutes.update,
    allowed: SUPER,
    foreign: ["nsAdmin", "otherNs"],
    call: async (a) => ({ params: { id: String(await target(`dis-${slug(a)}`)) }, json: { disabled: true } }),
  },
  {
    name: "make a user super-admin",
    spec: userRoutes.update,
    allowed: SUPER,
    call: async (a) => ({ params: { id: String(await target(`sup-${slug(a)}`)) }, json: { isSuperAdmin: true } }),
  },
  {
    name: "reset a user's password",
    spec: userRoutes.setPassword,
    allowed: SUPER,
    call: async (a) => ({ params: { id: String(await target(`pw-${slug(a)}`)) }, json: { password: "another long password" } }),
  },
  {
    name: "grant a role in alpha",
    spec: userRoutes.grantRole,
    allowed: ALPHA_ADMINS,
    foreign: ["otherNs"],
    call: async (a) => ({ params: { id: String(await target(`ga-${slug(a)}`)) }, json: { namespace: "alpha", role: "admin" } }),
  },
  {
    name: "grant a role in every namespace",
    spec: userRoutes.grantRole,
    allowed: SUPER,
    call: async (a) => ({ params: { id: String(await target(`ge-${slug(a)}`)) }, json: { namespace: null, role: "viewer" } }),
  },
  {
    name: "grant a role in beta",
    spec: userRoutes.grantRole,
    allowed: BETA_ADMINS,
    foreign: ALPHA_READERS,
    call: async (a) => ({ params: { id: String(await target(`gb-${slug(a)}`)) }, json: { namespace: "beta", role: "editor" } }),
  },
  {
    name: "revoke a role in alpha",
    spec: userRoutes.revokeRole,
    allowed: ALPHA_ADMINS,
    foreign: ["otherNs"],
    call: async (a) => ({ params: { id: String(await target(`ra-${slug(a)}`, [{ namespace: "alpha", role: "editor" }])) }, query: { namespace: "alpha" } }),
  },
  {
    name: "revoke an every-namespace role",
    spec: userRoutes.revokeRole,
    allowed: SUPER,
    call: async (a) => ({ params: { id: String(await target(`re-${slug(a)}`, [{ namespace: null, role: "viewer" }])) }, query: { namespace: "*" } }),
  },
  // Audit history and rollback.
  { name: "audit history", spec: auditRoutes.list, allowed: ALPHA_AUDITORS.concat("otherNs"), call: () => ({ query: { limit: "500" } }), check: (a, r) => auditLeak(a, r.json.events) },
  { name: "audit history of beta", spec: auditRoutes.list, allowed: ["super", "crossSite", "otherNs"], call: () => ({ query: { namespace: "beta" } }), check: (a, r) => auditLeak(a, r.json.events) },
  { name: "audit export", spec: auditRoutes.export, allowed: ALPHA_AUDITORS.concat("otherNs"), call: () => ({ query: { format: "json" } }), check: (a, r) => auditLeak(a, JSON.parse(r.text)) },
  { name: "alpha flag history", spec: auditRoutes.flagHistory, allowed: ALPHA_AUDITORS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle" } }) },
  { name: "beta flag history", spec: auditRoutes.flagHistory, allowed: ["super", "crossSite", "otherNs"], foreign: ALPHA_READERS, call: () => ({ params: { namespace: "beta", key: "secret" } }) },
  { name: "alpha value versions", spec: valueRoutes.valueVersions, allowed: ALPHA_AUDITORS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle", environment: "production" } }) },
  // History reads are bounded pages (issue 12, item 5): the page size is honoured and a cursor continues.
  {
    name: "alpha flag history, one-event pages",
    spec: auditRoutes.flagHistory,
    allowed: ALPHA_AUDITORS,
    foreign: ["otherNs"],
    call: () => ({ params: { namespace: "alpha", key: "toggle" }, query: { limit: "1" } }),
    check: (a, r) => boundedPage(r.json, "events").concat(auditLeak(a, r.json.events)),
  },
  {
    name: "alpha value versions, one-version pages",
    spec: valueRoutes.valueVersions,
    allowed: ALPHA_AUDITORS,
    foreign: ["otherNs"],
    call: () => ({ params: { namespace: "alpha", key: "toggle", environment: "production" }, query: { limit: "1" } }),
    check: (_a, r) => boundedPage(r.json, "versions"),
  },
  {
    name: "roll back alpha production value",
    spec: valueRoutes.rollback,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshFlag("alpha", `rbp-${slug(a)}`);
      return { params: { namespace: "alpha", key: `rbp-${slug(a)}`, environment: "production" }, json: { toVersion: 1 } };
    },
  },
  {
    name: "roll back alpha staging value",
    spec: valueRoutes.rollback,
    allowed: ALPHA_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshFlag("alpha", `rbs-${slug(a)}`);
      return { params: { namespace: "alpha", key: `rbs-${slug(a)}`, environment: "staging" }, json: { toVersion: 1 } };
    },
  },
  // The console's own read endpoints (same wrapper, not in the public document).
  { name: "console flag list", spec: consoleRoutes.flags, allowed: AUTHED, call: () => ({}), check: (a, r) => namespacesLeak(a, r.json.flags.map((f: { namespace: string }) => f.namespace)) },
  { name: "console audit", spec: consoleRoutes.audit, allowed: ALPHA_AUDITORS.concat("otherNs"), call: () => ({ query: { limit: "500" } }), check: (a, r) => auditLeak(a, r.json.events) },
  { name: "console audit of beta", spec: consoleRoutes.audit, allowed: ["super", "crossSite", "otherNs"], call: () => ({ query: { namespace: "beta" } }), check: (a, r) => auditLeak(a, r.json.events) },
  {
    name: "console audit export",
    spec: consoleRoutes.auditExport,
    allowed: ALPHA_AUDITORS.concat("otherNs"),
    call: () => ({ query: { format: "json" } }),
    check: (a, r) => auditLeak(a, JSON.parse(r.text)),
  },
  { name: "console flag versions", spec: consoleRoutes.versions, allowed: ALPHA_AUDITORS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle" } }) },
  {
    name: "console flag versions, one-version pages",
    spec: consoleRoutes.versions,
    allowed: ALPHA_AUDITORS,
    foreign: ["otherNs"],
    call: () => ({ params: { namespace: "alpha", key: "toggle" }, query: { limit: "1" } }),
    check: (_a, r) => boundedPage(r.json, "versions", 2),
  },
  {
    name: "console alpha flag clients",
    spec: consoleRoutes.flagClients,
    allowed: ALPHA_READERS,
    foreign: ["otherNs"],
    call: () => ({ params: { namespace: "alpha", key: "toggle" } }),
    check: (_a, r) => (r.json.environments && typeof r.json.environments === "object" ? [] : [`no environments: ${r.text.slice(0, 80)}`]),
  },
  { name: "console beta flag clients", spec: consoleRoutes.flagClients, allowed: BETA_READERS, foreign: ALPHA_READERS, call: () => ({ params: { namespace: "beta", key: "secret" } }) },
  {
    name: "console realtime stats",
    spec: consoleRoutes.realtimeStats,
    allowed: AUTHED,
    call: () => ({}),
    check: (_a, r) => (r.json.presence?.available === true ? [] : [`no SDK client figures: ${JSON.stringify(r.json.presence)}`]),
  },
  {
    name: "console realtime stream",
    spec: consoleRoutes.realtimeStream,
    allowed: AUTHED,
    call: () => ({ streamMs: 3_000 }),
    check: (_a, r) => (/event: ready/.test(r.text) ? [] : [`no ready event: ${r.text.slice(0, 80)}`]),
  },
  // Issue 14: rules per flag and environment follow value writes; segments serve in every
  // environment (environment-limited editors may not change them); the Unleash import is for
  // namespace admins.
  { name: "get alpha targeting", spec: ruleRoutes.getTargeting, allowed: ALPHA_READERS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle", environment: "production" } }) },
  {
    name: "set alpha targeting in staging",
    spec: ruleRoutes.setTargeting,
    allowed: ALPHA_WRITERS,
    foreign: ["otherNs"],
    call: (a) => ({ params: { namespace: "alpha", key: "toggle", environment: "staging" }, json: { rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: [a] }], serve: { value: true } }] } }),
  },
  {
    name: "set alpha targeting in production",
    spec: ruleRoutes.setTargeting,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    call: (a) => ({ params: { namespace: "alpha", key: "toggle", environment: "production" }, json: { rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: [a] }], serve: { value: true } }] } }),
  },
  { name: "alpha targeting versions", spec: ruleRoutes.targetingVersions, allowed: ALPHA_AUDITORS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha", key: "toggle", environment: "production" } }) },
  {
    name: "roll back alpha rules in staging",
    spec: ruleRoutes.rollbackTargeting,
    allowed: ALPHA_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshRules("alpha", `rrs-${slug(a)}`, "staging");
      return { params: { namespace: "alpha", key: `rrs-${slug(a)}`, environment: "staging" }, json: { toVersion: 1 } };
    },
  },
  {
    name: "roll back alpha rules in production",
    spec: ruleRoutes.rollbackTargeting,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshRules("alpha", `rrp-${slug(a)}`, "production");
      return { params: { namespace: "alpha", key: `rrp-${slug(a)}`, environment: "production" }, json: { toVersion: 1 } };
    },
  },
  { name: "list alpha segments", spec: segmentRoutes.listSegments, allowed: ALPHA_READERS, foreign: ["otherNs"], call: () => ({ params: { namespace: "alpha" } }) },
  {
    name: "get alpha segment",
    spec: segmentRoutes.getSegment,
    allowed: ALPHA_READERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshSegment("alpha", `seg-get-${slug(a)}`);
      return { params: { namespace: "alpha", segmentKey: `seg-get-${slug(a)}` } };
    },
  },
  { name: "create alpha segment", spec: segmentRoutes.createSegment, allowed: ALPHA_PROD_WRITERS, foreign: ["otherNs"], call: (a) => ({ params: { namespace: "alpha" }, json: { key: `seg-${slug(a)}`, constraints: [] } }) },
  {
    name: "update alpha segment",
    spec: segmentRoutes.updateSegment,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshSegment("alpha", `seg-upd-${slug(a)}`);
      return { params: { namespace: "alpha", segmentKey: `seg-upd-${slug(a)}` }, json: { name: `by ${a}` } };
    },
  },
  {
    name: "delete alpha segment",
    spec: segmentRoutes.deleteSegment,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshSegment("alpha", `seg-del-${slug(a)}`);
      return { params: { namespace: "alpha", segmentKey: `seg-del-${slug(a)}` } };
    },
  },
  {
    name: "alpha segment versions",
    spec: segmentRoutes.segmentVersions,
    allowed: ALPHA_AUDITORS,
    foreign: ["otherNs"],
    async call(a) {
      await freshSegment("alpha", `seg-ver-${slug(a)}`);
      return { params: { namespace: "alpha", segmentKey: `seg-ver-${slug(a)}` } };
    },
  },
  {
    name: "roll back alpha segment",
    spec: segmentRoutes.rollbackSegment,
    allowed: ALPHA_PROD_WRITERS,
    foreign: ["otherNs"],
    async call(a) {
      await freshSegment("alpha", `seg-rb-${slug(a)}`);
      await updateSegment({ ctx: systemCtx(), input: { namespace: "alpha", segmentKey: `seg-rb-${slug(a)}`, name: "changed" } });
      return { params: { namespace: "alpha", segmentKey: `seg-rb-${slug(a)}` }, json: { toVersion: 1 } };
    },
  },
  {
    name: "import unleash into alpha",
    spec: importRoutes.importUnleash,
    allowed: ALPHA_ADMINS,
    foreign: ["otherNs"],
    call: (a) => ({ query: { environment: "production", namespace: "alpha" }, json: { features: [{ name: `imp-${slug(a)}`, enabled: true }] } }),
  },
  { name: "outbox stats", spec: outboxRoutes.stats, allowed: AUTHED, call: () => ({}) },
  { name: "dead letters", spec: outboxRoutes.deadLetters, allowed: SUPER_READ, call: () => ({}) },
  { name: "retry dead letters", spec: outboxRoutes.retry, allowed: SUPER, call: () => ({ json: {} }) },
  { name: "openapi document", spec: systemRoutes.openapi, allowed: EVERYONE, call: () => ({}) },
  { name: "health", spec: systemRoutes.health, allowed: EVERYONE, call: () => ({}) },
  { name: "metrics", spec: systemRoutes.metrics, allowed: SUPER_READ, call: () => ({}) },
];

let env: TestEnv;
const creds = {} as Record<Actor, Credential>;
const targets = { shared: 0 };
async function target(name: string, grants: NonNullable<NonNullable<Parameters<typeof makeUser>[2]>["grants"]> = []): Promise<number> {
  return (await makeUser(env.db, `${name}@target.test`, { grants })).id;
}
const results = { cases: 0, allowed: 0, refused: 0 };
const violations: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  pointAppAt(env);
  await seedWorld();
  const token = async (name: string, role: "admin" | "editor" | "reviewer" | "viewer", namespaces: string[] | null, superAdmin = false) =>
    (await freshToken({ name, role, namespaces, superAdmin })).token;
  creds.super = { kind: "token", token: await token("super", "admin", null, true) };
  creds.nsAdmin = { kind: "token", token: await token("ns admin", "admin", ["alpha"]) };
  creds.editor = { kind: "token", token: await token("editor", "editor", ["alpha"]) };
  creds.reviewer = { kind: "token", token: await token("reviewer", "reviewer", ["alpha"]) };
  creds.viewer = { kind: "token", token: await token("viewer", "viewer", ["alpha"]) };
  creds.otherNs = { kind: "token", token: await token("beta admin", "admin", ["beta"]) };
  // API tokens carry no environment limits, so the staging-only editor is a console user.
  const stagingEditor = await makeUser(env.db, "staging-editor@example.test", { grants: [{ namespace: "alpha", role: "editor", environments: ["staging"] }] });
  creds.stagingEditor = { kind: "session", cookie: stagingEditor.cookie, sameOrigin: true };
  const superUser = await makeUser(env.db, "root@example.test", { superAdmin: true });
  creds.crossSite = { kind: "session", cookie: superUser.cookie, sameOrigin: false };
  const expired = await freshToken({ name: "expired", role: "admin", namespaces: null, superAdmin: true });
  await expireToken(env.db, expired.id);
  creds.expired = { kind: "token", token: expired.token };
  const revoked = await freshToken({ name: "revoked", role: "admin", namespaces: null, superAdmin: true });
  await revokeApiToken({ ctx: systemCtx(), input: { id: revoked.id } });
  creds.revoked = { kind: "token", token: revoked.token };
  creds.anonymous = { kind: "anonymous" };
  // Tokens minted by console users whose rights then shrank (through the service verbs, as an
  // administrator would do it).
  const mintAs = async (userId: number, input: Record<string, unknown>) =>
    (await createApiToken({ ctx: createServiceContext((await loadUserActor(env.db, userId))!, { traceId: "authz-seed" }), input })).token;
  const demoted = await makeUser(env.db, "demoted-owner@example.test", { grants: [{ namespace: "alpha", role: "admin" }] });
  creds.demotedToken = { kind: "token", token: await mintAs(demoted.id, { name: "demoted", role: "admin", namespaces: ["alpha"] }) };
  await grantRole({ ctx: systemCtx(), input: { userId: demoted.id, namespace: "alpha", role: "viewer" } });
  const gone = await makeUser(env.db, "gone-owner@example.test", { superAdmin: true });
  creds.orphanToken = { kind: "token", token: await mintAs(gone.id, { name: "orphan", role: "admin", namespaces: null, superAdmin: true }) };
  await updateUser({ ctx: systemCtx(), input: { userId: gone.id, disabled: true } });
  targets.shared = await target("shared", [{ namespace: "alpha", role: "viewer" }, { namespace: "beta", role: "editor" }, { namespace: null, role: "viewer" }]);
  // First use stamps last_used_at (left out of the fingerprint anyway); do it before measuring.
  for (const a of ACTORS) await callRoute(environmentRoutes.list, { credential: creds[a] });
}, 60_000);

afterAll(async () => {
  const matrix = OPS.length * ACTORS.length;
  console.log(`authz cases=${results.cases} violations=${violations.length} (routes=${new Set(OPS.map((o) => `${o.spec.method} ${o.spec.route}`)).size} operations=${OPS.length} x callers=${ACTORS.length} = ${matrix}; allowed=${results.allowed} refused=${results.refused})`);
  await resetAppSingletons();
  await env?.cleanup();
});

function expectedRefusals(op: Op, actor: Actor): number[] {
  if (op.spec.auth !== "none" && UNAUTHENTICATED.includes(actor)) return [401];
  // The CSRF check comes before anything else is looked at.
  if (actor === "crossSite" && op.spec.method !== "GET") return [403];
  if (op.hidden) return [404];
  return op.foreign?.includes(actor) ? [403, 404] : [403];
}

async function runCase(op: Op, actor: Actor): Promise<void> {
  const call = await op.call(actor);
  await settle(env.db);
  const before = await fingerprint(env.db, env.etcd.root);
  const res = await callRoute(op.spec, { ...call, credential: creds[actor] });
  results.cases++;
  const where = `${op.name} (${op.spec.method} ${op.spec.route}) as ${actor}`;
  if (op.allowed.includes(actor)) {
    results.allowed++;
    if (res.status >= 300) violations.push(`${where}: expected success, got ${res.status} ${res.text.slice(0, 160)}`);
    else for (const p of op.check?.(actor, res) ?? []) violations.push(`${where}: ${p}`);
    if (op.spec.method !== "GET" && res.status < 300) {
      await settle(env.db, before.tables.outbox_events?.maxId ?? 0);
      const after = await fingerprint(env.db, env.etcd.root);
      if (changedTables(before, after).size && (after.tables.audit_events?.rows ?? 0) <= (before.tables.audit_events?.rows ?? 0)) {
        violations.push(`${where}: succeeded without an audit row`);
      }
    }
    return;
  }
  results.refused++;
  const want = expectedRefusals(op, actor);
  if (!want.includes(res.status)) violations.push(`${where}: expected ${want.join("/")}, got ${res.status} ${res.text.slice(0, 160)}`);
  const after = await fingerprint(env.db, env.etcd.root);
  const diff = diffFingerprints(before, after);
  if (diff.length) violations.push(`${where}: refused (${res.status}) but changed ${diff.join(", ")}`);
}

describe("authorisation matrix: admin routes", () => {
  it("covers every route in the registry", () => {
    const covered = new Set(OPS.map((o) => o.spec));
    const missing = [...ALL_ROUTES, ...Object.values(consoleRoutes)].filter((s) => !covered.has(s)).map((s) => `${s.method} ${s.route}`);
    expect(missing, "routes without rows in the expected-permission table: add them to OPS").toEqual([]);
  });

  it.each(OPS.map((op) => [op.name, op] as const))("%s", async (_name, op) => {
    const start = violations.length;
    for (const actor of ACTORS) await runCase(op, actor);
    expect(violations.slice(start)).toEqual([]);
  });
});
