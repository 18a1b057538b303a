import { and, asc, eq, isNull } from "drizzle-orm";
import { StrictSegmentSchema } from "../../sdk/src/targeting";
import { assertCan } from "../auth/permissions";
import { segments } from "../db/schema";
import { conflict } from "../errors/service-error";
import { writeOutbox } from "../outbox/write-outbox";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { parseInput } from "../validation/parse";
import { CreateSegmentSchema, DeleteSegmentSchema, ListSegmentsSchema, SegmentRefSchema, UpdateSegmentSchema, type SegmentView } from "./schemas";
import {
  environmentKeys,
  lockSegment,
  namespaceId,
  segmentItems,
  segmentNotFound,
  segmentReferences,
  targetingInvalid,
  toSegmentView,
  type SegmentRow,
} from "./segment-state";

/**
 * Segment verbs (issue 14). A segment belongs to a namespace and is served in every environment, so
 * writing one needs flag:write on every environment of the namespace (an editor limited to some
 * environments may not change what production evaluates). Each change: segment version +1, one
 * audit row (before/after), one outbox row per environment, in one transaction.
 */
function strictConstraints(key: string, constraints: unknown[]): unknown[] {
  const r = StrictSegmentSchema.safeParse({ key, constraints });
  if (!r.success) throw targetingInvalid(r.error.issues.map((i) => ({ path: i.path, message: i.message })));
  return r.data.constraints;
}

export async function createSegment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SegmentView> {
  const data = parseInput(CreateSegmentSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: true });
  const constraints = strictConstraints(data.key, data.constraints);
  return inTransaction(ctx, async (tx, outbox) => {
    const { envKeys, nsId, row: existing } = await lockForWrite(tx, data.namespace, data.key);
    if (existing && !existing.deletedAt) throw conflict(`Segment '${data.namespace}/${data.key}' already exists`, { currentVersion: existing.version });
    const at = new Date();
    const fields = { name: data.name ?? null, constraints, deletedAt: null, updatedAt: at };
    if (existing) {
      // Revive: continue the version sequence, so SDKs holding the tombstone accept the new document.
      await tx.update(segments).set({ ...fields, version: existing.version + 1, createdAt: at }).where(eq(segments.id, existing.id));
    } else {
      await tx.insert(segments).values({ ...fields, namespaceId: nsId, key: data.key, version: 1, createdAt: at });
    }
    const row = (await lockSegment(tx, nsId, data.key))!;
    return finish(ctx, tx, outbox, { action: "segment.create", namespace: data.namespace, before: null, row, at, reason: data.reason, envKeys });
  });
}

export async function updateSegment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SegmentView> {
  const data = parseInput(UpdateSegmentSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: true });
  const constraints = data.constraints && strictConstraints(data.segmentKey, data.constraints);
  return inTransaction(ctx, async (tx, outbox) => {
    const { envKeys, current } = await lockLiveSegment(tx, data);
    const at = new Date();
    const set: Partial<SegmentRow> = { version: current.version + 1, updatedAt: at };
    if (data.name !== undefined) set.name = data.name;
    if (constraints) set.constraints = constraints;
    await tx.update(segments).set(set).where(eq(segments.id, current.id));
    const row = { ...current, ...set } as SegmentRow;
    return finish(ctx, tx, outbox, { action: "segment.update", namespace: data.namespace, before: toSegmentView(data.namespace, current), row, at, reason: data.reason, envKeys });
  });
}

export async function deleteSegment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ deleted: true }> {
  const data = parseInput(DeleteSegmentSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: true });
  return inTransaction(ctx, async (tx, outbox) => {
    // Every read before the scan below is a locking read (lockForWrite), so the scan's snapshot is
    // taken after the segment's lock: a rule save referencing this segment either committed before
    // (and the scan sees it: 409) or waits for this delete and then finds the segment gone (422).
    const { envKeys, nsId, current } = await lockLiveSegment(tx, data);
    const users = await segmentReferences(tx, nsId, data.segmentKey);
    if (users.length) {
      throw conflict(`Segment '${data.namespace}/${data.segmentKey}' is used by the rules of ${users.join(", ")}; remove it from those rules first`, {
        currentVersion: current.version,
        usedBy: users,
      });
    }
    const at = new Date();
    const set = { version: current.version + 1, deletedAt: at, updatedAt: at };
    await tx.update(segments).set(set).where(eq(segments.id, current.id));
    await finish(ctx, tx, outbox, { action: "segment.delete", namespace: data.namespace, before: toSegmentView(data.namespace, current), row: { ...current, ...set }, at, reason: data.reason, envKeys });
    return { deleted: true as const };
  });
}

export async function getSegment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SegmentView> {
  const data = parseInput(SegmentRefSchema, input);
  assertCan(ctx.actor, "flag:read", { namespaceKey: data.namespace });
  return ctx.db.transaction(async (tx) => {
    const nsId = await namespaceId(tx, data.namespace);
    const [row] = await tx.select().from(segments).where(and(eq(segments.namespaceId, nsId), eq(segments.key, data.segmentKey), isNull(segments.deletedAt)));
    if (!row) throw segmentNotFound(data.namespace, data.segmentKey);
    return toSegmentView(data.namespace, row);
  });
}

export async function listSegments({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ segments: SegmentView[] }> {
  const data = parseInput(ListSegmentsSchema, input);
  assertCan(ctx.actor, "flag:read", { namespaceKey: data.namespace });
  return ctx.db.transaction(async (tx) => {
    const nsId = await namespaceId(tx, data.namespace);
    const rows = await tx.select().from(segments).where(and(eq(segments.namespaceId, nsId), isNull(segments.deletedAt))).orderBy(asc(segments.key));
    return { segments: rows.map((r) => toSegmentView(data.namespace, r)) };
  });
}

/**
 * The locks every segment write takes, in this order. Environments first (shared), as createFlag
 * does: an environment being created commits before this write reads its list, and neither waits
 * for the other while holding a lock. Then the namespace and the segment row (deleted ones too).
 */
async function lockForWrite(tx: Tx, namespace: string, key: string) {
  const envKeys = await environmentKeys(tx);
  const nsId = await namespaceId(tx, namespace);
  return { envKeys, nsId, row: await lockSegment(tx, nsId, key) };
}

/** lockForWrite for a change to a live segment: 404 if there is none, 409 on a stale expectedVersion. */
async function lockLiveSegment(tx: Tx, data: { namespace: string; segmentKey: string; expectedVersion?: number }) {
  const { envKeys, nsId, row } = await lockForWrite(tx, data.namespace, data.segmentKey);
  if (!row || row.deletedAt) throw segmentNotFound(data.namespace, data.segmentKey);
  assertVersion(data, row);
  return { envKeys, nsId, current: row };
}

function assertVersion(data: { namespace: string; segmentKey: string; expectedVersion?: number }, row: SegmentRow): void {
  if (data.expectedVersion !== undefined && data.expectedVersion !== row.version) {
    throw conflict(`Segment ${data.namespace}/${data.segmentKey} was changed by someone else (now version ${row.version}, you expected ${data.expectedVersion})`, {
      currentVersion: row.version,
    });
  }
}

type Tx = Parameters<Parameters<typeof inTransaction>[1]>[0];
type Outbox = Parameters<Parameters<typeof inTransaction>[1]>[1];

/** Audit row and one outbox row per environment, in the verb's transaction. */
async function finish(
  ctx: ServiceContext,
  tx: Tx,
  outbox: Outbox,
  c: { action: string; namespace: string; before: SegmentView | null; row: SegmentRow; at: Date; reason?: string; envKeys: string[] },
): Promise<SegmentView> {
  const view = toSegmentView(c.namespace, c.row);
  await writeAudit(tx, ctx.actor, ctx.meta, {
    action: c.action,
    targetType: "segment",
    targetId: c.row.id,
    namespaceKey: c.namespace,
    before: c.before,
    after: c.row.deletedAt ? null : view,
    reason: c.reason,
  });
  await writeOutbox(tx, outbox, segmentItems(c.namespace, c.row, c.envKeys, c.at), c.at);
  return view;
}

