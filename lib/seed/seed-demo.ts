import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { systemActor } from "../auth/actor";
import type { Db } from "../db/client";
import { apiTokens, sdkKeys, users } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createApiToken } from "../api-tokens/create-api-token";
import { createSdkKey } from "../sdk-keys/create-sdk-key";
import type { ServiceContext } from "../core/context";
import { createEnvironment, listEnvironments } from "../environments/environment-verbs";
import { createFlag } from "../flags/create-flag";
import { getFlag } from "../flags/get-flag";
import { createNamespace, listNamespaces } from "../namespaces/namespace-verbs";
import { createUser } from "../users/user-verbs";
import { DEMO_ENVIRONMENTS, DEMO_FLAGS, DEMO_NAMESPACES } from "./demo-data";

export const DEMO_TOKEN_NAME = "Demo admin token";
export const DEMO_SDK_KEY_NAME = "Demo SDK key (production)";
/**
 * The demo token is a super-admin credential printed to a terminal: it expires, so one left in a
 * shell history or a copied .env stops working on its own. A later seed run makes a new one.
 */
export const DEMO_TOKEN_EXPIRES_IN_DAYS = 30;

export interface SeedDemoOptions {
  db: Db;
  adminEmail: string;
  /** Generated (and returned) when omitted and the user does not exist yet. */
  adminPassword?: string;
  /** Post-commit hook, e.g. the immediate publisher; without it the worker's relay publishes. */
  onCommitted?: ServiceContext["onCommitted"];
  /** Lifetime of the demo admin API token (default DEMO_TOKEN_EXPIRES_IN_DAYS). */
  apiTokenExpiresInDays?: number;
}

export interface SeedDemoResult {
  adminEmail: string;
  /** Only when the admin user was created by this run. */
  adminPassword?: string;
  /** Only when the admin API token was created by this run (the secret is never stored). */
  apiToken?: string;
  /** When that token expires (ISO 8601); say so wherever the token is shown. */
  apiTokenExpiresAt?: string;
  /** Things the operator should act on, e.g. a demo token from an older seed that never expires. */
  warnings: string[];
  /** Only when the demo SDK key (production, every namespace) was created by this run. */
  sdkKey?: string;
  created: { environments: string[]; namespaces: string[]; flags: string[]; adminUser: boolean };
}

/**
 * Seeds the quick-start data. Idempotent: each item is created only if missing, and existing items
 * (including anything users changed since) are left alone. Everything goes through the service
 * verbs as `system:seed`, so it is validated, audited and queued in the outbox like any change.
 */
export async function seedDemo(opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const ctx: ServiceContext = { db: opts.db, actor: systemActor("seed"), meta: { traceId: "seed" }, onCommitted: opts.onCommitted };
  const created: SeedDemoResult["created"] = { environments: [], namespaces: [], flags: [], adminUser: false };

  const envs = new Set((await listEnvironments({ ctx })).map((e) => e.key));
  for (const e of DEMO_ENVIRONMENTS.filter((e) => !envs.has(e.key))) {
    await createEnvironment({ ctx, input: { ...e, reason: "demo seed" } });
    created.environments.push(e.key);
  }
  const nss = new Set((await listNamespaces({ ctx })).map((n) => n.key));
  for (const n of DEMO_NAMESPACES.filter((n) => !nss.has(n.key))) {
    await createNamespace({ ctx, input: { ...n, reason: "demo seed" } });
    created.namespaces.push(n.key);
  }
  for (const f of DEMO_FLAGS) {
    if (await flagExists(ctx, f.namespace, f.key)) continue;
    await createFlag({ ctx, input: { ...f, reason: "demo seed" } });
    created.flags.push(`${f.namespace}/${f.key}`);
  }

  const result: SeedDemoResult = { adminEmail: opts.adminEmail.trim().toLowerCase(), created, warnings: [] };
  const [existing] = await opts.db.select({ id: users.id }).from(users).where(eq(users.email, result.adminEmail));
  if (!existing) {
    const password = opts.adminPassword ?? randomBytes(18).toString("base64url");
    await createUser({ ctx, input: { email: result.adminEmail, name: "Admin", password, isSuperAdmin: true, reason: "demo seed" } });
    result.adminPassword = password;
    created.adminUser = true;
  }

  // Only a token still usable counts as present: once the demo token expired, a run makes a new one.
  const usable = await opts.db
    .select({ id: apiTokens.id, expiresAt: apiTokens.expiresAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.name, DEMO_TOKEN_NAME), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date()))));
  for (const t of usable.filter((t) => t.expiresAt === null)) {
    result.warnings.push(`The demo admin API token (id ${t.id}, from an older seed) never expires: revoke it in the console under API tokens`);
  }
  if (usable.length === 0) {
    const made = await createApiToken({
      ctx,
      input: {
        name: DEMO_TOKEN_NAME,
        role: "admin",
        namespaces: null,
        superAdmin: true,
        expiresInDays: opts.apiTokenExpiresInDays ?? DEMO_TOKEN_EXPIRES_IN_DAYS,
        reason: "demo seed",
      },
    });
    result.apiToken = made.token;
    result.apiTokenExpiresAt = made.apiToken.expiresAt ?? undefined;
  }

  // So the quick start can show an SDK following changes without a trip to the console first.
  const [sdkKey] = await opts.db
    .select({ id: sdkKeys.id })
    .from(sdkKeys)
    .where(and(eq(sdkKeys.name, DEMO_SDK_KEY_NAME), isNull(sdkKeys.revokedAt)));
  const hasProduction = envs.has("production") || created.environments.includes("production");
  if (!sdkKey && hasProduction) {
    const made = await createSdkKey({ ctx, input: { name: DEMO_SDK_KEY_NAME, environment: "production", namespaces: null, reason: "demo seed" } });
    result.sdkKey = made.key;
  }
  return result;
}

async function flagExists(ctx: ServiceContext, namespace: string, key: string): Promise<boolean> {
  try {
    await getFlag({ ctx, input: { namespace, key } });
    return true;
  } catch (err) {
    if (err instanceof ServiceError && err.code === "not_found") return false;
    throw err;
  }
}
