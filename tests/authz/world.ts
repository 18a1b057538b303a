import { eq } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/client";
import { apiTokens, roleMemberships, users, namespaces, type Role } from "../../lib/db/schema";
import { createServiceContext } from "../../lib/http/service-context";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import type { ServiceContext } from "../../lib/core/context";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import { sessionCookieFor } from "../support/route-client";

/**
 * The shared scene of both authorisation matrices: environments staging + production, namespaces
 * alpha (where the cast has its roles) and beta (another team's), one flag in each. Seeded through
 * the app's own service context so everything is published to etcd like an API write.
 */
export const ENVIRONMENTS = ["staging", "production"] as const;

export function systemCtx(): ServiceContext {
  return createServiceContext(SYSTEM_ACTOR, { ip: "127.0.0.1", traceId: "authz-seed" });
}

export async function seedWorld(): Promise<void> {
  const ctx = systemCtx();
  for (const key of ENVIRONMENTS) await createEnvironment({ ctx, input: { key, name: key } });
  for (const key of ["alpha", "beta"]) await createNamespace({ ctx, input: { key, name: key.toUpperCase() } });
  await createFlag({ ctx, input: { namespace: "alpha", key: "toggle", type: "boolean" } });
  await createFlag({ ctx, input: { namespace: "beta", key: "secret", type: "boolean" } });
}

/** A fresh flag (with a second version in every environment, so rollbacks have a target). */
export async function freshFlag(namespace: string, key: string, type: "boolean" | "number" = "number"): Promise<void> {
  const ctx = systemCtx();
  await createFlag({ ctx, input: { namespace, key, type } });
  if (type === "number") for (const environment of ENVIRONMENTS) await setFlagValue({ ctx, input: { namespace, key, environment, value: 1 } });
}

export async function freshNamespace(key: string): Promise<void> {
  await createNamespace({ ctx: systemCtx(), input: { key, name: key } });
}

export async function freshToken(input: { role: Role; namespaces: string[] | null; superAdmin?: boolean; name: string }): Promise<{ id: number; token: string }> {
  const made = await createApiToken({ ctx: systemCtx(), input });
  return { id: made.apiToken.id, token: made.token };
}

/** A console user with role memberships written directly (the grant verbs are under test elsewhere). */
export async function makeUser(
  db: Db,
  email: string,
  opts: { superAdmin?: boolean; grants?: { namespace: string | null; role: Role; environments?: string[] }[]; passwordHash?: string } = {},
): Promise<{ id: number; cookie: string }> {
  const passwordHash = opts.passwordHash ?? "$2a$04$abcdefghijklmnopqrstuu1234567890abcdefghijklmnopqrstuv"; // not a real password
  const [res] = await db.insert(users).values({ email, name: email, passwordHash, isSuperAdmin: opts.superAdmin ?? false });
  const id = Number(res.insertId);
  for (const g of opts.grants ?? []) {
    const [ns] = g.namespace ? await db.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, g.namespace)) : [{ id: null }];
    await db.insert(roleMemberships).values({ userId: id, namespaceId: ns!.id, role: g.role, environmentKeys: g.environments ?? null });
  }
  return { id, cookie: await sessionCookieFor({ id, email, passwordHash }) };
}

export async function expireToken(db: Db, id: number): Promise<void> {
  await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(apiTokens.id, id));
}
