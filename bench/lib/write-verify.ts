import type { Namespace } from "etcd3";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../lib/db/client";
import { environments, flags, flagValues, namespaces, outboxEvents } from "../../lib/db/schema";
import { FLAGS_DIR } from "../../lib/etcd/keys";

/** Pending and dead outbox rows right now. */
export async function outboxCounts(db: Db): Promise<{ pending: number; dead: number }> {
  const rows = await db
    .select({ status: outboxEvents.status, n: sql<number>`count(*)` })
    .from(outboxEvents)
    .where(sql`${outboxEvents.status} <> 'done'`)
    .groupBy(outboxEvents.status);
  const get = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { pending: get("pending"), dead: get("dead") };
}

/** Waits until no outbox row is pending; returns how long that took (ms), or null on timeout. */
export async function waitOutboxDrained(db: Db, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  for (;;) {
    if ((await outboxCounts(db)).pending === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Comparison {
  checked: number;
  mismatches: string[];
}

/** etcd must hold exactly MySQL's version and value for every (bench flag, environment). */
export async function compareEtcdWithMysql(db: Db, root: Namespace, namespaceKey: string): Promise<Comparison> {
  const rows = await db
    .select({ env: environments.key, key: flags.key, version: flagValues.version, value: flagValues.value })
    .from(flagValues)
    .innerJoin(flags, eq(flags.id, flagValues.flagId))
    .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(eq(namespaces.key, namespaceKey));
  const mismatches: string[] = [];
  for (const env of new Set(rows.map((r) => r.env))) {
    const inEtcd = await root.getAll().prefix(`${FLAGS_DIR}${env}/${namespaceKey}/`).strings();
    for (const r of rows.filter((x) => x.env === env)) {
      const raw = Object.entries(inEtcd).find(([k]) => k.endsWith(`/${namespaceKey}/${r.key}`))?.[1];
      const doc = raw ? (JSON.parse(raw) as { version: number; value: unknown }) : null;
      if (!doc) mismatches.push(`${env}/${r.key}: missing in etcd (MySQL v${r.version})`);
      else if (doc.version !== r.version || JSON.stringify(doc.value) !== JSON.stringify(r.value ?? null)) {
        mismatches.push(`${env}/${r.key}: etcd v${doc.version}=${JSON.stringify(doc.value)}, MySQL v${r.version}=${JSON.stringify(r.value)}`);
      }
    }
  }
  return { checked: rows.length, mismatches };
}
