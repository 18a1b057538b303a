import type { Namespace } from "etcd3";
import { systemActor } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/client";
import { FLAGS_DIR, parseFlagPath, type FlagAddress } from "../../lib/etcd/keys";
import { metrics } from "../../lib/observability/metrics";
import { writeAudit, type AuditEntry } from "../../lib/audit/write-audit";
import { isEtcdUnavailable } from "../support/etcd-errors";
import { describeError, silentLog, type WorkerLog } from "../support/log";
import { forEachLimit, withTimeout } from "../support/timing";
import { classify, REPAIR_KINDS, type RepairKind } from "./classify";
import { actualVersion, readEtcdSnapshot, type ActualKey } from "./etcd-snapshot";
import { pageDesired, readDesiredByAddress, readDesiredByIds, readFreshPendingKeys, type DesiredKey } from "./mysql-desired";
import { repairKey } from "./repair-key";
import { reconcileSegments } from "./reconcile-segments";

export interface ReconcileReport {
  revision: number;
  checked: number;
  repairs: Record<RepairKind, number>;
  etcdAhead: number;
  /** Keys left to the relay because they have fresh pending outbox rows. */
  skippedPending: number;
  /** Repairs not made because the key changed in the meantime (retried next pass). */
  raced: number;
  failed: number;
  unparsableKeys: number;
  durationMs: number;
}

export interface ReconcileOptions {
  db: Db;
  root: Namespace;
  log?: WorkerLog;
  signal?: AbortSignal;
  /** Candidates re-read and repaired together; repairs run `concurrency` at a time. */
  chunkSize?: number;
  concurrency?: number;
  opTimeoutMs?: number;
}

interface Candidate {
  address: FlagAddress;
  seen: ActualKey;
  valueId: number | null;
}

const SYSTEM = systemActor("reconciler");

/**
 * One reconciler pass: etcd snapshot first (one revision), then MySQL page by page. Reading etcd
 * first means anything etcd holds that is newer than MySQL cannot be an in-flight publish of a
 * commit we read (that commit would be in MySQL already), and anything MySQL holds that etcd lacks
 * gets repaired. Each candidate is re-read from MySQL right before its repair and every write is
 * fenced, so a change committed or published during the pass is never undone.
 */
export async function reconcileOnce(o: ReconcileOptions): Promise<ReconcileReport> {
  const log = o.log ?? silentLog;
  const started = performance.now();
  const chunkSize = o.chunkSize ?? 500;
  const report: ReconcileReport = {
    revision: 0,
    checked: 0,
    repairs: Object.fromEntries(REPAIR_KINDS.map((k) => [k, 0])) as Record<RepairKind, number>,
    etcdAhead: 0,
    skippedPending: 0,
    raced: 0,
    failed: 0,
    unparsableKeys: 0,
    durationMs: 0,
  };
  try {
    const snapshot = await readEtcdSnapshot(o.root, { timeoutMs: o.opTimeoutMs });
    report.revision = snapshot.revision;
    report.unparsableKeys = snapshot.unparsable.length;
    for (const key of snapshot.unparsable.slice(0, 20)) log("warn", "reconcile.unparsable_key", { key });
    const pending = await readFreshPendingKeys(o.db);
    let candidates: Candidate[] = [];
    const flush = async () => {
      await repairChunk(o, log, candidates, report);
      candidates = [];
    };
    for await (const page of pageDesired(o.db)) {
      for (const d of page) {
        report.checked++;
        const seen = snapshot.keys.get(d.path);
        snapshot.keys.delete(d.path);
        const v = classify(d.item, seen);
        if (v.kind === "ok") continue;
        if (v.kind === "ahead") {
          noteAhead(report, log, d, seen);
          continue;
        }
        if (pending.has(FLAGS_DIR + d.path)) {
          report.skippedPending++;
          continue;
        }
        candidates.push({ address: d.address, seen: seen ?? emptySeen(), valueId: d.valueId });
      }
      if (candidates.length >= chunkSize) await flush();
      if (o.signal?.aborted) throw new Error("reconcile pass aborted");
    }
    // What is left in the snapshot has no flag_values row in the pages: candidates for removal.
    for (const [path, seen] of snapshot.keys) {
      if (!seen.docRaw || pending.has(FLAGS_DIR + path)) continue;
      candidates.push({ address: parseFlagPath(path)!, seen, valueId: null });
      if (candidates.length >= chunkSize) await flush();
    }
    await flush();
    // Segment keys (issue 14) get the same repairs, in their own small pass.
    await reconcileSegments(o.db, o.root, report, o.opTimeoutMs);
    metrics.reconcilerEtcdAhead.set(report.etcdAhead);
    metrics.reconcilerRuns.inc({ result: report.failed ? "partial" : "ok" });
    return report;
  } catch (err) {
    metrics.reconcilerRuns.inc({ result: "error" });
    throw err;
  } finally {
    report.durationMs = Math.round(performance.now() - started);
    metrics.reconcilerSeconds.observe(report.durationMs / 1000);
  }
}

const emptySeen = (): ActualKey => ({ docRaw: null, doc: null, docMod: 0, tomb: null, tombMod: 0 });

function noteAhead(report: ReconcileReport, log: WorkerLog, d: DesiredKey, seen: ActualKey | undefined): void {
  report.etcdAhead++;
  log("warn", "reconcile.etcd_ahead", { key: FLAGS_DIR + d.path, etcdVersion: actualVersion(seen), mysqlVersion: d.item.version });
}

async function repairChunk(o: ReconcileOptions, log: WorkerLog, candidates: Candidate[], report: ReconcileReport): Promise<void> {
  if (candidates.length === 0) return;
  const timeoutMs = o.opTimeoutMs ?? 10_000;
  const fresh = await readDesiredByIds(o.db, candidates.flatMap((c) => (c.valueId === null ? [] : [c.valueId])));
  const audits: AuditEntry[] = [];
  let unavailable: unknown = null;
  await forEachLimit(candidates, o.concurrency ?? 32, async (c) => {
    if (unavailable) return;
    const key = FLAGS_DIR + `${c.address.environment}/${c.address.namespace}/${c.address.key}`;
    try {
      const want = c.valueId !== null ? fresh.get(c.valueId) ?? null : await readDesiredByAddress(o.db, c.address);
      const res = await withTimeout(repairKey(o.root, c.address, want?.item ?? null, c.seen), timeoutMs, `repair ${key}`);
      if (res.outcome === "ahead" && want) noteAhead(report, log, want, c.seen);
      if (res.outcome === "raced") report.raced++;
      if (res.outcome !== "repaired") return;
      report.repairs[res.kind]++;
      metrics.reconcilerRepairs.inc({ kind: res.kind });
      const before = { document: c.seen.doc ?? c.seen.docRaw, tombstone: c.seen.tomb };
      log("info", "reconcile.repaired", { kind: res.kind, key, etcdVersion: actualVersion(c.seen), mysqlVersion: want?.item.version ?? null });
      audits.push({
        action: "reconcile.repair",
        targetType: "flag_value",
        targetId: want?.flagId ?? null,
        namespaceKey: c.address.namespace,
        environmentKey: c.address.environment,
        flagKey: c.address.key,
        before,
        after: res.after,
        reason: `${res.kind}: etcd held version ${actualVersion(c.seen)}, MySQL ${want ? `version ${want.item.version}` : "has no such flag"}`,
      });
    } catch (err) {
      report.failed++;
      if (isEtcdUnavailable(err)) unavailable ??= err;
      else log("warn", "reconcile.repair_failed", { key, err: describeError(err) });
    }
  });
  if (audits.length) {
    await o.db.transaction(async (tx) => {
      for (const entry of audits) await writeAudit(tx, SYSTEM, undefined, entry);
    });
  }
  if (unavailable) throw unavailable;
}
