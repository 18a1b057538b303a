import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/client";
import { environments, flags, flagValues, namespaces, outboxEvents } from "../../lib/db/schema";
import type { PublishItem } from "../../lib/etcd/fence";
import { flagPath, type FlagAddress } from "../../lib/etcd/keys";
import { desiredItem, type FlagRow } from "../../lib/flags/flag-state";

/** What MySQL says etcd should hold for one (flag, environment). */
export interface DesiredKey {
  valueId: number;
  flagId: number;
  path: string;
  address: FlagAddress;
  item: PublishItem;
}

const valueCols = {
  id: flagValues.id,
  flagId: flagValues.flagId,
  environmentId: flagValues.environmentId,
  value: flagValues.value,
  version: flagValues.version,
  targeting: flagValues.targeting,
  committedAt: flagValues.committedAt,
  updatedAt: flagValues.updatedAt,
};
type ValueRow = { id: number; flagId: number; environmentId: number; value: unknown; version: number; targeting: Record<string, unknown> | null; committedAt: Date | null; updatedAt: Date };
const flagCols = { id: flags.id, namespaceId: flags.namespaceId, key: flags.key, type: flags.type, archived: flags.archived, deletedAt: flags.deletedAt };

/**
 * Resolves value rows to publish items with primary-key lookups only. (A four-table join ordered by
 * flag_values.id lets the optimizer start from `namespaces` and sort everything per page, which made
 * a 30,000-row pass quadratic; separate lookups are index-driven on MySQL and MariaDB alike.)
 */
class Hydrator {
  private envKeys = new Map<number, string>();
  private nsKeys = new Map<number, string>();
  constructor(private readonly db: Db) {}

  private async loadScopes(): Promise<void> {
    const [envs, nss] = await Promise.all([
      this.db.select({ id: environments.id, key: environments.key }).from(environments),
      this.db.select({ id: namespaces.id, key: namespaces.key }).from(namespaces),
    ]);
    this.envKeys = new Map(envs.map((e) => [e.id, e.key]));
    this.nsKeys = new Map(nss.map((n) => [n.id, n.key]));
  }

  async hydrate(rows: ValueRow[]): Promise<DesiredKey[]> {
    if (rows.length === 0) return [];
    const flagIds = [...new Set(rows.map((r) => r.flagId))];
    const flagRows = await this.db.select(flagCols).from(flags).where(inArray(flags.id, flagIds));
    const byId = new Map(flagRows.map((f) => [f.id, f]));
    const known = () => rows.every((r) => this.envKeys.has(r.environmentId) && this.nsKeys.has(byId.get(r.flagId)?.namespaceId ?? -1));
    if (!known()) await this.loadScopes(); // first page, or a scope created during the pass
    const out: DesiredKey[] = [];
    for (const r of rows) {
      const f = byId.get(r.flagId);
      const envKey = this.envKeys.get(r.environmentId);
      const nsKey = f && this.nsKeys.get(f.namespaceId);
      // Version 0 is a placeholder inside a re-create transaction; nothing was ever published for it.
      if (!f || !envKey || !nsKey || r.version <= 0) continue;
      const item = desiredItem(f as FlagRow, nsKey, envKey, { value: r.value, version: r.version, targeting: r.targeting }, r.committedAt ?? r.updatedAt);
      out.push({ valueId: r.id, flagId: f.id, path: flagPath(item.address), address: item.address, item });
    }
    return out;
  }
}

/** Every flag_values row, in pages by id (keyset over the primary key), so memory stays flat with any number of flags. */
export async function* pageDesired(db: Db, pageSize = 2_000): AsyncGenerator<DesiredKey[]> {
  const h = new Hydrator(db);
  let after = 0;
  for (;;) {
    const rows = (await db.select(valueCols).from(flagValues).where(gt(flagValues.id, after)).orderBy(asc(flagValues.id)).limit(pageSize)) as ValueRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield await h.hydrate(rows);
    if (rows.length < pageSize) return;
  }
}

/** Fresh re-read of specific rows right before repairing them (a commit since the page read wins). */
export async function readDesiredByIds(db: Db, valueIds: number[]): Promise<Map<number, DesiredKey>> {
  if (valueIds.length === 0) return new Map();
  const rows = (await db.select(valueCols).from(flagValues).where(inArray(flagValues.id, valueIds))) as ValueRow[];
  return new Map((await new Hydrator(db).hydrate(rows)).map((d) => [d.valueId, d]));
}

/** Fresh lookup of one address, for a key found in etcd but not in the MySQL pages. */
export async function readDesiredByAddress(db: Db, a: FlagAddress): Promise<DesiredKey | null> {
  const rows = (await db
    .select(valueCols)
    .from(flagValues)
    .innerJoin(flags, eq(flags.id, flagValues.flagId))
    .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(and(eq(environments.key, a.environment), eq(namespaces.key, a.namespace), eq(flags.key, a.key)))) as ValueRow[];
  const [d] = await new Hydrator(db).hydrate(rows);
  return d ?? null;
}

/**
 * etcd keys with fresh pending outbox rows (never attempted yet): the relay is about to publish them,
 * so the reconciler leaves them alone instead of racing it and filling the audit log with "repairs"
 * of changes that are merely in flight. Rows that already failed are not excluded: for those the
 * reconciler is the safety net.
 */
export async function readFreshPendingKeys(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ key: outboxEvents.etcdKey })
    .from(outboxEvents)
    .where(and(eq(outboxEvents.status, "pending"), sql`${outboxEvents.attempts} = 0`));
  return new Set(rows.map((r) => r.key));
}
