import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import { environments, flags, flagValues, namespaces } from "../db/schema";
import type { PublishItem } from "../etcd/fence";
import { publishItem } from "../etcd/publish-item";
import type { FlagDocument } from "./document";
import type { FlagView } from "./schemas";
import { conflict, notFound } from "../errors/service-error";

export type FlagRow = typeof flags.$inferSelect;
export type ValueRow = typeof flagValues.$inferSelect;
export type EnvRow = typeof environments.$inferSelect;

export interface LockedFlag {
  flag: FlagRow;
  namespaceKey: string;
  values: { env: Pick<EnvRow, "id" | "key">; row: ValueRow }[];
}

/**
 * Locks a flag row and its value rows, in one statement. Every verb that changes a flag takes the
 * flag row lock first (the flag is a const-table read, done before the join reaches flag_values,
 * whose rows are then locked in (flag_id, environment_id) index order), so writers of one flag
 * serialise and never deadlock each other.
 *
 * Only flag and flag_values rows are locked exclusively. The namespace is looked up by a plain
 * subquery (as a separate SELECT did before), and each environment key by a subquery under a SHARED
 * lock: joining environments in the FOR UPDATE would X-lock the environment row, and then every
 * write to, say, production would queue behind every other one until commit, whatever the flag.
 */
export async function lockFlag(tx: Tx, namespaceKey: string, key: string, opts: { includeDeleted?: boolean } = {}): Promise<LockedFlag> {
  const rows = await flagRowsForUpdate(
    tx,
    and(eq(flags.namespaceId, sql`(SELECT n.id FROM ${namespaces} n WHERE n.\`key\` = ${namespaceKey})`), eq(flags.key, key)),
  );
  const flag = rows[0]?.flag;
  if (!flag) {
    // Rare path: say which of the two is missing.
    const [ns] = await tx.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, namespaceKey));
    throw notFound(ns ? `Flag '${namespaceKey}/${key}'` : `Namespace '${namespaceKey}'`);
  }
  if (flag.deletedAt && !opts.includeDeleted) throw notFound(`Flag '${namespaceKey}/${key}'`);
  const values: LockedFlag["values"] = [];
  for (const r of rows) {
    // Environments are never deleted, so a value row always has its environment.
    if (r.row && r.envKey !== null) values.push({ env: { id: r.row.environmentId, key: r.envKey }, row: r.row });
  }
  values.sort((a, b) => a.env.id - b.env.id);
  return { flag, namespaceKey, values };
}

/**
 * The flag rows matching `where` joined with their value rows, all locked FOR UPDATE, each value
 * row with its environment key (read under a shared lock; see lockFlag for why not exclusive).
 */
export function flagRowsForUpdate(tx: Tx, where: SQL | undefined) {
  return tx
    .select({
      flag: flags,
      row: flagValues,
      envKey: sql<string | null>`(SELECT e.\`key\` FROM ${environments} e WHERE e.id = ${flagValues.environmentId} LOCK IN SHARE MODE)`,
    })
    .from(flags)
    .leftJoin(flagValues, eq(flagValues.flagId, flags.id))
    .where(where)
    .for("update");
}

/**
 * What etcd should hold for one (flag, environment): the document, or a tombstone if not served.
 * The row's targeting (issue 14) travels in the document, so every writer of this row publishes it.
 */
export function desiredItem(
  flag: FlagRow,
  namespaceKey: string,
  envKey: string,
  row: { value: unknown; version: number; targeting?: Record<string, unknown> | null },
  at: Date,
): PublishItem {
  const address = { environment: envKey, namespace: namespaceKey, key: flag.key };
  const document: FlagDocument = {
    namespace: namespaceKey,
    key: flag.key,
    type: flag.type,
    value: row.value ?? null,
    version: row.version,
    updatedAt: at.toISOString(),
    ...(row.targeting && Object.keys(row.targeting).length ? { targeting: row.targeting } : {}),
  };
  return publishItem(address, row.version, at, flag.deletedAt || flag.archived ? null : document);
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

/**
 * The views of a page of flags with their values in every environment: one query for all of them,
 * grouped by flag (the flag lists, for the admin API and the console).
 */
export async function toFlagViews(db: Db | Tx, rows: { flag: FlagRow; namespaceKey: string }[]): Promise<FlagView[]> {
  if (!rows.length) return [];
  const values = await db
    .select({ row: flagValues, env: environments })
    .from(flagValues)
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(inArray(flagValues.flagId, rows.map((r) => r.flag.id)))
    .orderBy(asc(environments.id));
  const byFlag = new Map<number, typeof values>();
  for (const v of values) {
    const list = byFlag.get(v.row.flagId);
    if (list) list.push(v);
    else byFlag.set(v.row.flagId, [v]);
  }
  return rows.map((r) => toFlagView(r.flag, r.namespaceKey, byFlag.get(r.flag.id) ?? []));
}

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

/** Optimistic concurrency on the flag definition: a stale expectedVersion is a 409 with the current one. */
export function assertFlagVersion(flag: FlagRow, req: { namespace: string; key: string; expectedVersion?: number }): void {
  if (req.expectedVersion !== undefined && req.expectedVersion !== flag.version) {
    throw conflict(`Flag ${req.namespace}/${req.key} was changed by someone else (now version ${flag.version})`, {
      currentVersion: flag.version,
    });
  }
}
