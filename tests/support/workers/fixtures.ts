import type { Namespace } from "etcd3";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../lib/db/client";
import { outboxEvents } from "../../../lib/db/schema";
import type { PublishItem } from "../../../lib/etcd/fence";
import { FLAGS_DIR, TOMBSTONES_DIR } from "../../../lib/etcd/keys";
import { parseDocument, parseTombstone, sameContent, type FlagDocument, type Tombstone } from "../../../lib/flags/document";
import { createEnvironment } from "../../../lib/environments/environment-verbs";
import { createFlag } from "../../../lib/flags/create-flag";
import { createNamespace } from "../../../lib/namespaces/namespace-verbs";
import type { ServiceContext } from "../../../lib/core/context";
import { pageDesired } from "../../../workers/reconciler/mysql-desired";
import { forEachLimit } from "../../../workers/support/timing";

/** A namespace and environments to put flags in. Service verbs with no onCommitted hook: only a relay publishes. */
export async function seedScopes(ctx: ServiceContext, namespace = "checkout", environments = ["production", "staging"]): Promise<void> {
  await createNamespace({ ctx, input: { key: namespace, name: namespace } });
  for (const key of environments) await createEnvironment({ ctx, input: { key, name: key } });
}

/**
 * Sequential on purpose: concurrent createFlag calls in one namespace deadlock on the unique index's
 * gap locks (SELECT ... FOR UPDATE of a missing key, then INSERT) often enough to exhaust
 * inTransaction's retries.
 */
export async function createBooleanFlags(ctx: ServiceContext, namespace: string, keys: string[], concurrency = 1): Promise<void> {
  await forEachLimit(keys, concurrency, async (key) => {
    await createFlag({ ctx, input: { namespace, key, type: "boolean" } });
  });
}

export async function outboxCounts(db: Db): Promise<{ pending: number; done: number; dead: number; total: number }> {
  const rows = await db.select({ status: outboxEvents.status, n: sql<number>`COUNT(*)` }).from(outboxEvents).groupBy(outboxEvents.status);
  const get = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { pending: get("pending"), done: get("done"), dead: get("dead"), total: get("pending") + get("done") + get("dead") };
}

export async function pendingCount(db: Db): Promise<number> {
  const [r] = await db.select({ n: sql<number>`COUNT(*)` }).from(outboxEvents).where(eq(outboxEvents.status, "pending"));
  return Number(r?.n ?? 0);
}

export interface EtcdKeyView {
  doc: FlagDocument | null;
  tomb: Tombstone | null;
}

/** Everything under flags/ and tombstones/, keyed by `{env}/{ns}/{key}`. */
export async function readEtcdFlags(root: Namespace): Promise<Map<string, EtcdKeyView>> {
  const out = new Map<string, EtcdKeyView>();
  const get = (p: string) => out.get(p) ?? (out.set(p, { doc: null, tomb: null }), out.get(p)!);
  for (const [k, v] of Object.entries(await root.getAll().prefix(FLAGS_DIR).strings())) get(k.slice(FLAGS_DIR.length)).doc = parseDocument(v);
  for (const [k, v] of Object.entries(await root.getAll().prefix(TOMBSTONES_DIR).strings())) get(k.slice(TOMBSTONES_DIR.length)).tomb = parseTombstone(v);
  return out;
}

/**
 * Differences between etcd and what MySQL says it should hold (empty = equal): a live flag's
 * document has MySQL's version and content, an archived/deleted one has no document and a tombstone
 * at MySQL's version, and no document exists that MySQL does not know.
 */
export async function diffEtcdAgainstMysql(db: Db, root: Namespace): Promise<string[]> {
  const etcd = await readEtcdFlags(root);
  const problems: string[] = [];
  const known = new Set<string>();
  for await (const page of pageDesired(db)) {
    for (const d of page) {
      known.add(d.path);
      const have = etcd.get(d.path);
      problems.push(...compare(d.path, d.item, have));
    }
  }
  for (const [path, v] of etcd) if (v.doc && !known.has(path)) problems.push(`${path}: document in etcd but not in MySQL`);
  return problems;
}

function compare(path: string, want: PublishItem, have: EtcdKeyView | undefined): string[] {
  if (want.op === "put") {
    if (!have?.doc) return [`${path}: missing document v${want.version}`];
    return sameContent(have.doc, want.document) ? [] : [`${path}: etcd v${have.doc.version} ${JSON.stringify(have.doc.value)} != MySQL v${want.version} ${JSON.stringify("value" in want.document ? want.document.value : want.document)}`];
  }
  if (have?.doc) return [`${path}: document v${have.doc.version} served but MySQL deleted it at v${want.version}`];
  return have?.tomb?.version === want.version ? [] : [`${path}: tombstone v${have?.tomb?.version ?? "none"} != MySQL v${want.version}`];
}
