import { createHash } from "node:crypto";
import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";

/**
 * A fingerprint of everything a request could have changed: per table of the test database its row
 * count, max id and an order-independent checksum over every column (tables are read from
 * information_schema, so tables added later are covered without touching this file), plus the key
 * count, highest mod_revision and a content hash of the etcd prefix. Two equal fingerprints mean
 * "nothing changed anywhere".
 *
 * Bookkeeping columns that reads legitimately touch (an API token's last use) are left out.
 */
export interface Fingerprint {
  tables: Record<string, { rows: number; maxId: number; checksum: string }>;
  etcd: { keys: number; maxModRevision: string; hash: string };
}

const VOLATILE_COLUMNS = new Set(["last_used_at", "last_login_at", "last_seen_at"]);
const IGNORED_TABLES = new Set(["__drizzle_migrations"]);

type Plan = { sql: string; tables: string[] };
const plans = new WeakMap<Db, Plan>();

async function planFor(db: Db): Promise<Plan> {
  const cached = plans.get(db);
  if (cached) return cached;
  const [rows] = (await db.$client.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  )) as unknown as [{ t: string; c: string }[]];
  const byTable = new Map<string, string[]>();
  for (const { t, c } of rows) {
    if (IGNORED_TABLES.has(t)) continue;
    (byTable.get(t) ?? byTable.set(t, []).get(t)!).push(c);
  }
  const parts: string[] = [];
  for (const [t, cols] of byTable) {
    const hashed = cols.filter((c) => !VOLATILE_COLUMNS.has(c));
    const row = `CONCAT_WS(CHAR(31), ${hashed.map((c) => `IFNULL(CAST(\`${c}\` AS CHAR), '<null>')`).join(", ")})`;
    const maxId = cols.includes("id") ? "COALESCE(MAX(`id`), 0)" : "0";
    parts.push(`SELECT '${t}' AS t, COUNT(*) AS n, ${maxId} AS max_id, CAST(COALESCE(SUM(CRC32(${row})), 0) AS CHAR) AS ck FROM \`${t}\``);
  }
  const plan = { sql: parts.join("\nUNION ALL\n"), tables: [...byTable.keys()] };
  plans.set(db, plan);
  return plan;
}

export async function dbFingerprint(db: Db): Promise<Fingerprint["tables"]> {
  const plan = await planFor(db);
  const [rows] = (await db.$client.query(plan.sql)) as unknown as [{ t: string; n: number; max_id: number; ck: string }[]];
  return Object.fromEntries(rows.map((r) => [r.t, { rows: Number(r.n), maxId: Number(r.max_id), checksum: String(r.ck) }]));
}

export async function etcdFingerprint(root: Namespace): Promise<Fingerprint["etcd"]> {
  const res = await root.getAll().exec();
  const h = createHash("sha1");
  let max = 0n;
  for (const kv of res.kvs) {
    h.update(kv.key).update("\0").update(kv.value).update("\0");
    const rev = BigInt(kv.mod_revision);
    if (rev > max) max = rev;
  }
  return { keys: res.kvs.length, maxModRevision: String(max), hash: h.digest("hex").slice(0, 16) };
}

export async function fingerprint(db: Db, root: Namespace): Promise<Fingerprint> {
  const [tables, etcd] = await Promise.all([dbFingerprint(db), etcdFingerprint(root)]);
  return { tables, etcd };
}

/** Human-readable differences ("flag_values.rows 4 -> 5"), empty when equal. */
export function diffFingerprints(a: Fingerprint, b: Fingerprint): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    const x = a.tables[t];
    const y = b.tables[t];
    if (!x || !y) {
      out.push(`${t}: table ${x ? "dropped" : "appeared"}`);
      continue;
    }
    for (const k of ["rows", "maxId", "checksum"] as const) if (x[k] !== y[k]) out.push(`${t}.${k} ${x[k]} -> ${y[k]}`);
  }
  for (const k of ["keys", "maxModRevision", "hash"] as const) if (a.etcd[k] !== b.etcd[k]) out.push(`etcd.${k} ${a.etcd[k]} -> ${b.etcd[k]}`);
  return out;
}

/** Tables whose content differs between two fingerprints. */
export function changedTables(a: Fingerprint, b: Fingerprint): Set<string> {
  const out = new Set<string>();
  for (const t of Object.keys(b.tables)) {
    const x = a.tables[t];
    const y = b.tables[t]!;
    if (!x || x.rows !== y.rows || x.maxId !== y.maxId || x.checksum !== y.checksum) out.add(t);
  }
  return out;
}

/**
 * Waits until post-commit work of earlier successful writes has landed (the immediate publisher
 * puts to etcd and marks outbox rows done after the response), so the next baseline is stable.
 * Only rows above `afterId` count: older ones may be pending on purpose (a dead letter put back in
 * the queue waits for the worker's relay). Returns false if rows are still pending after
 * `timeoutMs` (left for the caller to report).
 */
export async function settle(db: Db, afterId = 0, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rows] = (await db.$client.query("SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'pending' AND id > ?", [afterId])) as unknown as [{ n: number }[]];
    if (Number(rows[0]!.n) === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The outbox rows still pending, for a report. */
export async function pendingOutbox(db: Db, afterId = 0): Promise<string[]> {
  const [rows] = (await db.$client.query(
    "SELECT id, etcd_key AS k, version, attempts, last_error AS e FROM outbox_events WHERE status = 'pending' AND id > ? ORDER BY id LIMIT 5",
    [afterId],
  )) as unknown as [{ id: number; k: string; version: number; attempts: number; e: string | null }[]];
  return rows.map((r) => `#${r.id} ${r.k} v${r.version} attempts=${r.attempts}${r.e ? ` error=${r.e.slice(0, 100)}` : ""}`);
}
