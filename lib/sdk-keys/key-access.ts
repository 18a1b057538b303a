import { eq } from "drizzle-orm";
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import type { Db, Tx } from "../db/client";
import { environments, sdkKeys } from "../db/schema";
import type { SdkKeyView } from "./schemas";

/**
 * Who may manage a key. A key bound to "all namespaces" reads everything, so only super-admins
 * manage it. A namespaced key is created only by someone who administers every namespace it lists;
 * seeing and revoking it needs admin over at least one of them, so any team can cut off a key that
 * reads its flags.
 */
export function canCreateKeyFor(actor: Actor, namespaces: string[] | null): boolean {
  if (namespaces === null) return actor.isSuperAdmin;
  return namespaces.every((ns) => can(actor, "namespace:admin", { namespaceKey: ns }));
}

export function canManageKey(actor: Actor, namespaces: string[] | null): boolean {
  if (actor.isSuperAdmin) return true;
  if (namespaces === null) return false;
  return namespaces.some((ns) => can(actor, "namespace:admin", { namespaceKey: ns }));
}

export const sdkKeyColumns = {
  id: sdkKeys.id,
  name: sdkKeys.name,
  prefix: sdkKeys.prefix,
  namespaceKeys: sdkKeys.namespaceKeys,
  kind: sdkKeys.kind,
  allowedOrigins: sdkKeys.allowedOrigins,
  createdBy: sdkKeys.createdBy,
  createdAt: sdkKeys.createdAt,
  revokedAt: sdkKeys.revokedAt,
  environment: environments.key,
};

export type SdkKeyRow = {
  id: number;
  name: string;
  prefix: string;
  namespaceKeys: unknown;
  kind: "server" | "client";
  allowedOrigins: unknown;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  environment: string;
};

export function toSdkKeyView(r: SdkKeyRow): SdkKeyView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    environment: r.environment,
    namespaces: (r.namespaceKeys as string[] | null) ?? null,
    kind: r.kind,
    allowedOrigins: (r.allowedOrigins as string[] | null) ?? null,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    revokedAt: r.revokedAt ? r.revokedAt.toISOString() : null,
  };
}

export function selectSdkKeys(db: Db | Tx) {
  return db.select(sdkKeyColumns).from(sdkKeys).innerJoin(environments, eq(environments.id, sdkKeys.environmentId));
}
