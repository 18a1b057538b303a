import { asc, getTableName } from "drizzle-orm";
import type { Actor } from "../../lib/auth/actor";
import { hashPassword } from "../../lib/auth/password";
import { loadUserActor } from "../../lib/auth/session-actor";
import type { Db } from "../../lib/db/client";
import * as schema from "../../lib/db/schema";
import { users } from "../../lib/db/schema";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { grantRole } from "../../lib/users/membership-verbs";
import type { TestEnv } from "./test-env";

/**
 * Console test fixture: environments dev + production, namespaces alpha + beta, and one user per
 * role. Actors are built exactly as for a signed-in session (loadUserActor reads role_memberships).
 *
 *   super      administrator (is_super_admin)
 *   nsAdmin    admin in alpha
 *   editor     editor in alpha
 *   devEditor  editor in alpha, writes only in dev
 *   reviewer   reviewer in alpha
 *   viewer     viewer in alpha
 *   outsider   viewer in beta only
 *   nobody     no role at all
 */
export const ROLES = ["super", "nsAdmin", "editor", "devEditor", "reviewer", "viewer", "outsider", "nobody"] as const;
export type FixtureRole = (typeof ROLES)[number];

export const FIXTURE_PASSWORD = "correct horse battery staple";

export interface ConsoleFixture {
  userIds: Record<FixtureRole, number>;
  actor(role: FixtureRole): Promise<Actor>;
}

export async function seedConsoleFixture(env: TestEnv): Promise<ConsoleFixture> {
  const ctx = env.ctx();
  for (const key of ["dev", "production"]) await createEnvironment({ ctx, input: { key, name: key } });
  for (const key of ["alpha", "beta"]) await createNamespace({ ctx, input: { key, name: key.toUpperCase() } });
  await createFlag({ ctx, input: { namespace: "alpha", key: "toggle", type: "boolean" } });
  await createFlag({ ctx, input: { namespace: "beta", key: "secret-toggle", type: "boolean" } });
  // A low bcrypt cost keeps the fixture fast; production hashes use BCRYPT_COST.
  const passwordHash = await hashPassword(FIXTURE_PASSWORD, 4);
  const userIds = {} as Record<FixtureRole, number>;
  for (const role of ROLES) {
    const [res] = await env.db.insert(users).values({ email: `${role.toLowerCase()}@example.test`, name: role, passwordHash, isSuperAdmin: role === "super" });
    userIds[role] = Number(res.insertId);
  }
  const grants: [FixtureRole, string, "admin" | "editor" | "reviewer" | "viewer", string[] | null][] = [
    ["nsAdmin", "alpha", "admin", null],
    ["editor", "alpha", "editor", null],
    ["devEditor", "alpha", "editor", ["dev"]],
    ["reviewer", "alpha", "reviewer", null],
    ["viewer", "alpha", "viewer", null],
    ["outsider", "beta", "viewer", null],
  ];
  for (const [role, namespace, r, environments] of grants) {
    await grantRole({ ctx, input: { userId: userIds[role], namespace, role: r, environments } });
  }
  return {
    userIds,
    async actor(role) {
      const a = await loadUserActor(env.db, userIds[role]);
      if (!a) throw new Error(`fixture user ${role} missing`);
      return a;
    },
  };
}

const TABLES = [
  schema.namespaces,
  schema.environments,
  schema.flags,
  schema.flagValues,
  schema.auditEvents,
  schema.outboxEvents,
  schema.users,
  schema.roleMemberships,
  schema.sdkKeys,
  schema.apiTokens,
] as const;

/** Every row of every table, in id order: equal snapshots mean nothing changed anywhere. */
export async function snapshotDb(db: Db): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[getTableName(t)] = await db.select().from(t).orderBy(asc(t.id));
  }
  return JSON.stringify(out);
}
