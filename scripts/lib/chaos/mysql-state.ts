import type { Pool, PoolConnection } from "mysql2/promise";

/** One (flag, environment) row as MySQL holds it. */
export interface ValueRow {
  /** `{env}/{ns}/{key}` */
  id: string;
  environment: string;
  namespace: string;
  key: string;
  type: string;
  /** Neither archived nor deleted: etcd should hold a document, SDKs should have the flag. */
  served: boolean;
  version: number;
  /** Canonical JSON of the value (see canonical()). */
  value: string;
}

/** JSON with object keys sorted, so equal values compare equal as strings whatever their key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v === undefined ? null : v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

const SELECT = `SELECT e.\`key\` AS env, n.\`key\` AS ns, f.\`key\` AS flag, f.type, f.archived, f.deleted_at AS deletedAt,
         v.value, v.version
    FROM flag_values v JOIN flags f ON f.id = v.flag_id JOIN namespaces n ON n.id = f.namespace_id
    JOIN environments e ON e.id = v.environment_id`;

type Raw = { env: string; ns: string; flag: string; type: string; archived: number; deletedAt: Date | null; value: unknown; version: number };

function toRow(r: Raw): ValueRow {
  // mysql2 hands MariaDB's JSON (a LONGTEXT) back as a string; MySQL 8's JSON type comes parsed.
  const parsed = typeof r.value === "string" ? JSON.parse(r.value) : r.value;
  return {
    id: `${r.env}/${r.ns}/${r.flag}`,
    environment: r.env,
    namespace: r.ns,
    key: r.flag,
    type: r.type,
    served: !r.archived && !r.deletedAt,
    version: Number(r.version),
    value: canonical(parsed),
  };
}

/** Every (flag, environment) row. */
export async function readAllValues(db: Pool | PoolConnection): Promise<ValueRow[]> {
  const [rows] = await db.query(SELECT);
  return (rows as Raw[]).map(toRow);
}

/**
 * One flag's rows, read after taking its row lock: a transaction still holding the lock (say, one
 * whose client died mid-commit) has finished by then, so the result is final.
 */
export async function readFlagLocked(pool: Pool, namespace: string, key: string): Promise<ValueRow[]> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query(
      "SELECT f.id FROM flags f JOIN namespaces n ON n.id = f.namespace_id WHERE n.`key` = ? AND f.`key` = ? FOR UPDATE",
      [namespace, key],
    );
    const [rows] = await conn.query(`${SELECT} WHERE n.\`key\` = ? AND f.\`key\` = ?`, [namespace, key]);
    await conn.commit();
    return (rows as Raw[]).map(toRow);
  } catch (err) {
    await conn.rollback().catch(() => {});
    throw err;
  } finally {
    conn.release();
  }
}

/** Outbox rows by status (pending and dead ones are what "stuck" means at the end of a run). */
export async function outboxCounts(db: Pool): Promise<Record<string, number>> {
  const [rows] = await db.query("SELECT status, COUNT(*) AS n FROM outbox_events GROUP BY status");
  return Object.fromEntries((rows as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]));
}
