import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import { environments, flags, flagValues, namespaces, segments } from "../db/schema";
import type { PublishItem } from "../etcd/fence";
import { publishItem } from "../etcd/publish-item";
import type { SegmentDocument } from "../flags/document";
import { notFound, ServiceError } from "../errors/service-error";
import { lockEnvironmentsShared } from "../environments/lock-environments";
import type { SegmentView } from "./schemas";

export type SegmentRow = typeof segments.$inferSelect;

/**
 * What etcd should hold for a segment in each environment: its document (segment.v1) or, once
 * deleted, a tombstone keeping its version. One key per environment: an SDK (one environment) gets
 * one event per segment change, and every flag using the segment changes with it.
 */
export function segmentItems(namespaceKey: string, row: SegmentRow, envKeys: readonly string[], at: Date): PublishItem[] {
  return envKeys.map((environment): PublishItem => {
    const address = { environment, namespace: namespaceKey, key: row.key, kind: "segment" as const };
    const document: SegmentDocument = {
      namespace: namespaceKey,
      key: row.key,
      ...(row.name ? { name: row.name } : {}),
      constraints: row.constraints,
      version: row.version,
      updatedAt: at.toISOString(),
    };
    return publishItem(address, row.version, at, row.deletedAt ? null : document);
  });
}

/**
 * Every environment key (environments are never deleted), under a shared lock as createFlag takes
 * it: an environment created meanwhile waits, then publishes this segment itself.
 */
export async function environmentKeys(tx: Tx): Promise<string[]> {
  return (await lockEnvironmentsShared(tx)).map((e) => e.key);
}

/**
 * The namespace's id, or 404. A locking read on purpose: InnoDB takes a transaction's snapshot at
 * its first plain read, and a segment delete's reference scan must see every rule save committed
 * before it got the segment's lock (`LOCK IN SHARE MODE`: MariaDB has no `FOR SHARE`).
 */
export async function namespaceId(tx: Tx, namespaceKey: string): Promise<number> {
  const [rows] = (await tx.execute(sql`SELECT id FROM ${namespaces} WHERE \`key\` = ${namespaceKey} LOCK IN SHARE MODE`)) as unknown as [{ id: number | string }[]];
  if (!rows[0]) throw notFound(`Namespace '${namespaceKey}'`);
  return Number(rows[0].id);
}

/**
 * The segment row, locked FOR UPDATE (deleted ones included: a re-create continues its versions).
 * Rule saves take a shared lock on the segments they reference, so a delete and a save that adds a
 * reference serialise: the later one sees the other's outcome (409 or 422).
 */
export async function lockSegment(tx: Tx, nsId: number, key: string): Promise<SegmentRow | undefined> {
  const [row] = await tx.select().from(segments).where(and(eq(segments.namespaceId, nsId), eq(segments.key, key))).for("update");
  return row;
}

/** "flag@environment" for every live flag whose rules in some environment use the segment. */
export async function segmentReferences(tx: Tx, nsId: number, segmentKey: string): Promise<string[]> {
  const rows = await tx
    .select({ flag: flags.key, env: environments.key, targeting: flagValues.targeting })
    .from(flagValues)
    .innerJoin(flags, eq(flags.id, flagValues.flagId))
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(and(eq(flags.namespaceId, nsId), isNull(flags.deletedAt)))
    .orderBy(asc(flags.key), asc(environments.id));
  const out: string[] = [];
  for (const r of rows) {
    const rules = (r.targeting as { rules?: { segments?: unknown }[] } | null)?.rules ?? [];
    if (rules.some((rule) => Array.isArray(rule.segments) && rule.segments.includes(segmentKey))) out.push(`${r.flag}@${r.env}`);
  }
  return out;
}

export function toSegmentView(namespaceKey: string, row: SegmentRow): SegmentView {
  return {
    namespace: namespaceKey,
    key: row.key,
    name: row.name ?? null,
    constraints: row.constraints as SegmentView["constraints"],
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const segmentNotFound = (ns: string, key: string) => notFound(`Segment '${ns}/${key}'`);

/** A 422 from the engine's issues, paths as `constraints.0.value`. */
export function targetingInvalid(issues: { path: (string | number)[] | PropertyKey[]; message: string }[], prefix = ""): ServiceError {
  return new ServiceError("validation_failed", "Invalid input", {
    issues: issues.map((i) => ({ path: prefix + (i.path.map(String).join(".") || "(body)"), message: i.message })),
  });
}

/** A new environment's copy of every live segment (locking read: sees segments committed meanwhile). */
export async function liveSegmentItems(tx: Tx, environment: string, at: Date): Promise<PublishItem[]> {
  const rows = await tx
    .select({ segment: segments, namespaceKey: namespaces.key })
    .from(segments)
    .innerJoin(namespaces, eq(namespaces.id, segments.namespaceId))
    .where(isNull(segments.deletedAt))
    .orderBy(asc(segments.id))
    .for("update");
  return rows.flatMap((r) => segmentItems(r.namespaceKey, r.segment, [environment], at));
}
