import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { environments, flags, flagValues, namespaces } from "../../db/schema";
import type { PublishItem } from "../../etcd/fence";
import type { FlagView } from "./schemas";
import { notFound } from "../../errors/service-error";

export type FlagRow = typeof flags.$inferSelect;
export type ValueRow = typeof flagValues.$inferSelect;
export type EnvRow = typeof environments.$inferSelect;

export interface LockedFlag {
  flag: FlagRow;
  namespaceKey: string;
  values: { env: EnvRow; row: ValueRow }[];
}

/**
 * Locks a flag row, then its value rows in environment-id order. Every verb that changes a flag
 * takes the flag row lock first, so writers of one flag serialise and never deadlock each other.
 */
export async function lockFlag(tx: Tx, namespaceKey: string, key: string, opts: { includeDeleted?: boolean } = {}): Promise<LockedFlag> {
  const [ns] = await tx.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, namespaceKey));
  if (!ns) throw notFound(`Namespace '${namespaceKey}'`);
  const [flag] = await tx
    .select()
    .from(flags)
    .where(and(eq(flags.namespaceId, ns.id), eq(flags.key, key)))
    .for("update");
  if (!flag || (flag.deletedAt && !opts.includeDeleted)) throw notFound(`Flag '${namespaceKey}/${key}'`);
  const rows = await tx
    .select({ row: flagValues, env: environments })
    .from(flagValues)
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(eq(flagValues.flagId, flag.id))
    .orderBy(asc(flagValues.environmentId))
    .for("update");
  return { flag, namespaceKey, values: rows };
}

/** What etcd should hold for one (flag, environment): the document, or a tombstone if not served. */
export function desiredItem(flag: FlagRow, namespaceKey: string, envKey: string, row: { value: unknown; version: number }, at: Date): PublishItem {
  const address = { environment: envKey, namespace: namespaceKey, key: flag.key };
  if (flag.deletedAt || flag.archived) {
    return {
      op: "delete",
      address,
      version: row.version,
      tombstone: { namespace: namespaceKey, key: flag.key, version: row.version, deletedAt: at.toISOString() },
    };
  }
  return {
    op: "put",
    address,
    version: row.version,
    document: { namespace: namespaceKey, key: flag.key, type: flag.type, value: row.value ?? null, version: row.version, updatedAt: at.toISOString() },
  };
}

/**
 * Increments every environment's value version of a flag (after a change to what is served, such
 * as archive or delete) and returns the publish items describing the new state.
 */
export async function bumpAllValues(tx: Tx, locked: LockedFlag, flagAfter: FlagRow, at: Date): Promise<PublishItem[]> {
  const ids = locked.values.map((v) => v.row.id);
  if (ids.length === 0) return [];
  for (const v of locked.values) {
    v.row = { ...v.row, version: v.row.version + 1, committedAt: at, updatedAt: at };
  }
  await tx
    .update(flagValues)
    .set({ version: sqlIncrement(), committedAt: at, updatedAt: at })
    .where(inArray(flagValues.id, ids));
  return locked.values.map((v) => desiredItem(flagAfter, locked.namespaceKey, v.env.key, v.row, at));
}

const sqlIncrement = () => sql`${flagValues.version} + 1`;

export function toFlagView(flag: FlagRow, namespaceKey: string, values: { env: { key: string }; row: ValueRow }[]): FlagView {
  return {
    id: flag.id,
    namespace: namespaceKey,
    key: flag.key,
    type: flag.type,
    description: flag.description ?? null,
    tags: flag.tags ?? [],
    defaultValue: (flag.defaultValue ?? null) as FlagView["defaultValue"],
    archived: flag.archived,
    version: flag.version,
    createdAt: flag.createdAt.toISOString(),
    updatedAt: flag.updatedAt.toISOString(),
    values: Object.fromEntries(
      values.map((v) => [
        v.env.key,
        { value: (v.row.value ?? null) as FlagView["defaultValue"], version: v.row.version, updatedAt: (v.row.committedAt ?? v.row.updatedAt).toISOString() },
      ]),
    ),
  };
}
