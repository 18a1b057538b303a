import { isDeepStrictEqual } from "node:util";
import type { Namespace } from "etcd3";
import type { Db } from "../../lib/db/client";
import { FLAGS_DIR, flagKey } from "../../lib/etcd/keys";

/**
 * Differences between what MySQL says should be served and what etcd holds under the prefix: every
 * live (not archived, not deleted) flag value must be in etcd at its exact version with its value,
 * and etcd must hold no flag key MySQL does not serve. Empty when they agree.
 */
export async function etcdDrift(db: Db, root: Namespace): Promise<string[]> {
  const [rows] = (await db.$client.query(
    `SELECT n.\`key\` AS ns, f.\`key\` AS flag, e.\`key\` AS env, f.type, f.archived, f.deleted_at AS deletedAt,
            v.value, v.version
     FROM flag_values v JOIN flags f ON f.id = v.flag_id JOIN namespaces n ON n.id = f.namespace_id
     JOIN environments e ON e.id = v.environment_id`,
  )) as unknown as [{ ns: string; flag: string; env: string; type: string; archived: number; deletedAt: Date | null; value: string | null; version: number }[]];
  const etcd = new Map<string, string>();
  for (const kv of (await root.getAll().prefix(FLAGS_DIR).exec()).kvs) etcd.set(kv.key.toString(), kv.value.toString());
  const problems: string[] = [];
  for (const r of rows) {
    const key = flagKey({ environment: r.env, namespace: r.ns, key: r.flag });
    const served = !r.archived && !r.deletedAt;
    const raw = etcd.get(key);
    etcd.delete(key);
    if (!served) {
      if (raw !== undefined) problems.push(`${key}: in etcd but archived/deleted in MySQL`);
      continue;
    }
    if (raw === undefined) {
      problems.push(`${key}: missing in etcd (MySQL version ${r.version})`);
      continue;
    }
    const doc = JSON.parse(raw) as { version: number; value: unknown; type: string };
    const want = r.value === null ? null : JSON.parse(r.value);
    if (doc.version !== r.version) problems.push(`${key}: etcd version ${doc.version}, MySQL ${r.version}`);
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(doc.value ?? null)), JSON.parse(JSON.stringify(want)))) {
      problems.push(`${key}: value differs at version ${r.version}`);
    }
  }
  for (const key of etcd.keys()) problems.push(`${key}: in etcd, unknown to MySQL`);
  return problems;
}
