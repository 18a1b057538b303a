import { and, desc, eq, isNull, type SQL } from "drizzle-orm";
import { environments, sdkKeys } from "../db/schema";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { canManageKey, selectSdkKeys, toSdkKeyView } from "./key-access";
import { ListSdkKeysSchema, type SdkKeyView } from "./schemas";

/**
 * Lists SDK keys the actor may manage (see key-access.ts); keys of other teams are left out
 * entirely, so their names and scopes never leak. Never returns key material beyond the prefix.
 */
export async function listSdkKeys({ ctx, input = {} }: { ctx: ServiceContext; input?: unknown }): Promise<SdkKeyView[]> {
  const data = parseInput(ListSdkKeysSchema, input);
  const where: SQL[] = [];
  if (data.environment) where.push(eq(environments.key, data.environment));
  if (!data.includeRevoked) where.push(isNull(sdkKeys.revokedAt));
  const rows = await selectSdkKeys(ctx.db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(sdkKeys.id));
  return rows.map(toSdkKeyView).filter((k) => canManageKey(ctx.actor, k.namespaces));
}
