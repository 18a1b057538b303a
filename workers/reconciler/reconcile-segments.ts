import { Range, type Namespace } from "etcd3";
import { and, eq, sql } from "drizzle-orm";
import { systemActor } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/client";
import { environments, namespaces, outboxEvents, segments } from "../../lib/db/schema";
import { flagKey, parseFlagPath, SEGMENTS_DIR, SEGMENT_TOMBSTONES_DIR, type FlagAddress } from "../../lib/etcd/keys";
import { parseSegmentDocument, parseTombstone } from "../../lib/flags/document";
import { metrics } from "../../lib/observability/metrics";
import { segmentItems } from "../../lib/segments/segment-state";
import { writeAudit, type AuditEntry } from "../../lib/audit/write-audit";
import type { PublishItem } from "../../lib/etcd/fence";
import { withTimeout } from "../support/timing";
import { classify } from "./classify";
import { actualVersion, emptyActual, type ActualKey } from "./etcd-snapshot";
import { repairKey } from "./repair-key";
import type { ReconcileReport } from "./reconcile-once";

const SYSTEM = systemActor("reconciler");

/**
 * The reconciler's pass over segment keys (issue 14): segments/{env}/{ns}/{key} and their
 * tombstones, compared with the `segments` table (one copy per environment, the segment's version)
 * and repaired with the same fenced repairs as flags (repair-key.ts): missing, stale, drift,
 * tombstone, orphan. Segments are few (per namespace, not per flag), so this pass reads them all at
 * once, and re-reads a segment's row right before repairing it. Keys with fresh pending outbox rows
 * are left to the relay, as for flags.
 */
export async function reconcileSegments(db: Db, root: Namespace, report: ReconcileReport, timeoutMs = 10_000): Promise<void> {
  const seen = await readSegmentKeys(root, timeoutMs);
  const pending = new Set(
    (
      await db
        .selectDistinct({ key: outboxEvents.etcdKey })
        .from(outboxEvents)
        .where(and(eq(outboxEvents.status, "pending"), sql`${outboxEvents.attempts} = 0`, sql`${outboxEvents.etcdKey} LIKE ${SEGMENTS_DIR + "%"}`))
    ).map((r) => r.key),
  );
  const desired = await desiredSegments(db);
  const audits: AuditEntry[] = [];
  const visit = async (address: FlagAddress, want: PublishItem | null, actual: ActualKey) => {
    report.checked++;
    if (want && classify(want, actual).kind === "ok") return;
    if (pending.has(flagKey(address))) return void report.skippedPending++;
    // Fresh read right before the repair: a change committed during the pass wins.
    const fresh = (await desiredSegments(db, address)).get(flagKey(address)) ?? null;
    const res = await withTimeout(repairKey(root, address, fresh, actual), timeoutMs, `repair ${flagKey(address)}`);
    if (res.outcome === "ahead") report.etcdAhead++;
    if (res.outcome === "raced") report.raced++;
    if (res.outcome !== "repaired") return;
    report.repairs[res.kind]++;
    metrics.reconcilerRepairs.inc({ kind: res.kind });
    audits.push({
      action: "reconcile.repair",
      targetType: "segment",
      namespaceKey: address.namespace,
      environmentKey: address.environment,
      before: { document: actual.doc ?? actual.docRaw, tombstone: actual.tomb },
      after: res.after,
      reason: `${res.kind}: etcd held segment version ${actualVersion(actual)}, MySQL ${fresh ? `version ${fresh.version}` : "has no such segment"}`,
    });
  };
  for (const [key, want] of desired) {
    const actual = seen.get(key) ?? emptyActual();
    seen.delete(key);
    await visit(want.address, want, actual);
  }
  for (const [key, actual] of seen) {
    if (!actual.docRaw) continue;
    const path = parseFlagPath(key.slice(SEGMENTS_DIR.length));
    if (path) await visit({ ...path, kind: "segment" }, null, actual);
  }
  if (audits.length) {
    await db.transaction(async (tx) => {
      for (const entry of audits) await writeAudit(tx, SYSTEM, undefined, entry);
    });
  }
}

/** etcd key -> the publish item MySQL wants there, for every segment row (deleted ones as tombstones) and environment. */
async function desiredSegments(db: Db, only?: FlagAddress): Promise<Map<string, PublishItem>> {
  const envs = await db.select({ key: environments.key }).from(environments);
  const where = only ? and(eq(namespaces.key, only.namespace), eq(segments.key, only.key)) : undefined;
  const rows = await db.select({ segment: segments, namespaceKey: namespaces.key }).from(segments).innerJoin(namespaces, eq(namespaces.id, segments.namespaceId)).where(where);
  const out = new Map<string, PublishItem>();
  for (const r of rows) {
    for (const item of segmentItems(r.namespaceKey, r.segment, envs.map((e) => e.key), r.segment.updatedAt)) out.set(flagKey(item.address), item);
  }
  return out;
}

/** Every segment document and tombstone, keyed by the document key (segments/...), read at one revision. */
async function readSegmentKeys(root: Namespace, timeoutMs: number): Promise<Map<string, ActualKey>> {
  const out = new Map<string, ActualKey>();
  let revision: number | undefined;
  for (const dir of [SEGMENTS_DIR, SEGMENT_TOMBSTONES_DIR]) {
    const q = root.getAll().inRange(Range.prefix(dir));
    if (revision !== undefined) q.revision(revision);
    const res = await withTimeout(q.exec(), timeoutMs, `etcd range ${dir}`);
    revision ??= Number(res.header.revision);
    for (const kv of res.kvs) {
      const path = kv.key.toString("utf8").slice(dir.length);
      if (!parseFlagPath(path)) continue;
      const key = SEGMENTS_DIR + path;
      const e = out.get(key) ?? emptyActual();
      out.set(key, e);
      const raw = kv.value.toString("utf8");
      if (dir === SEGMENTS_DIR) Object.assign(e, { docRaw: raw, doc: parseSegmentDocument(raw), docMod: Number(kv.mod_revision) });
      else Object.assign(e, { tomb: parseTombstone(raw), tombMod: Number(kv.mod_revision) });
    }
  }
  return out;
}
