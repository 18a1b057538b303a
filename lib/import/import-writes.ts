import { and, eq, isNull } from "drizzle-orm";
import type { ImportedFlag, Segment } from "../../sdk/src/targeting";
import type { Tx } from "../db/client";
import { flags, flagValues, segments } from "../db/schema";
import type { PublishItem } from "../etcd/fence";
import { ServiceError } from "../errors/service-error";
import { compactTargeting } from "../rules/schemas";
import { lockSegment, segmentItems } from "../segments/segment-state";
import { bumpAllValues, desiredItem, lockFlag } from "../flags/flag-state";

export type Outcome = "created" | "updated" | "unchanged";
type Env = { id: number; key: string };

/**
 * One segment of an import in one namespace: created (or revived, continuing its versions),
 * updated (version +1), or left alone when identical. Returns its publish items (every environment).
 */
export async function importSegment(tx: Tx, nsId: number, ns: string, seg: Segment, envs: Env[], at: Date): Promise<{ outcome: Outcome; items: PublishItem[] }> {
  const existing = await lockSegment(tx, nsId, seg.key);
  const fields = { name: seg.name ?? null, constraints: seg.constraints, updatedAt: at };
  let outcome: Outcome;
  if (!existing) {
    await tx.insert(segments).values({ ...fields, namespaceId: nsId, key: seg.key, version: 1, createdAt: at });
    outcome = "created";
  } else if (existing.deletedAt) {
    await tx.update(segments).set({ ...fields, deletedAt: null, version: existing.version + 1, createdAt: at }).where(eq(segments.id, existing.id));
    outcome = "created";
  } else if ((existing.name ?? null) === fields.name && JSON.stringify(existing.constraints) === JSON.stringify(seg.constraints)) {
    return { outcome: "unchanged", items: [] };
  } else {
    await tx.update(segments).set({ ...fields, version: existing.version + 1 }).where(eq(segments.id, existing.id));
    outcome = "updated";
  }
  const row = (await lockSegment(tx, nsId, seg.key))!;
  return { outcome, items: segmentItems(ns, row, envs.map((e) => e.key), at) };
}

/**
 * One imported flag (boolean) in one environment: created with a value row in every environment
 * (the imported value and rules in `env`, off elsewhere), revived if deleted, or its `env` row
 * updated (version +1: value and rules share it). A flag of another type is refused (422).
 */
export async function importFlag(tx: Tx, nsId: number, ns: string, f: ImportedFlag, envs: Env[], env: Env, at: Date): Promise<{ outcome: Outcome; items: PublishItem[] }> {
  const { key, type: _type, value, ...rest } = f.targeting;
  const targeting = compactTargeting(rest);
  const [existing] = await tx.select().from(flags).where(and(eq(flags.namespaceId, nsId), eq(flags.key, key))).for("update");
  if (existing && existing.type !== "boolean") {
    throw new ServiceError("validation_failed", "The payload cannot be imported; nothing was changed", {
      issues: [{ path: `features.${key}`, message: `'${ns}/${key}' exists as a ${existing.type} flag; Unleash features import as boolean flags` }],
    });
  }
  if (!existing) {
    const [res] = await tx.insert(flags).values({ namespaceId: nsId, key, type: "boolean", description: f.description ?? null, tags: [], defaultValue: false, version: 1, createdAt: at, updatedAt: at });
    const flagId = Number(res.insertId);
    await tx.insert(flagValues).values(
      envs.map((e) => ({ flagId, environmentId: e.id, value: e.id === env.id ? value : false, targeting: e.id === env.id ? targeting : null, version: 1, committedAt: at, updatedAt: at })),
    );
    const locked = await lockFlag(tx, ns, key);
    return { outcome: "created", items: locked.values.map((v) => desiredItem(locked.flag, ns, v.env.key, v.row, at)) };
  }
  if (existing.deletedAt) {
    // Revive as createFlag does: keep the row, continue every environment's version.
    await tx.update(flags).set({ deletedAt: null, archived: false, description: f.description ?? existing.description, version: existing.version + 1, createdAt: at, updatedAt: at }).where(eq(flags.id, existing.id));
    const had = await tx.select({ env: flagValues.environmentId }).from(flagValues).where(eq(flagValues.flagId, existing.id));
    const missing = envs.filter((e) => !had.some((h) => h.env === e.id));
    if (missing.length) await tx.insert(flagValues).values(missing.map((e) => ({ flagId: existing.id, environmentId: e.id, value: false, version: 0 })));
    const locked = await lockFlag(tx, ns, key);
    for (const v of locked.values) {
      v.row = { ...v.row, value: v.env.id === env.id ? value : false, targeting: v.env.id === env.id ? targeting : null };
      await tx.update(flagValues).set({ value: v.row.value, targeting: v.row.targeting }).where(eq(flagValues.id, v.row.id));
    }
    return { outcome: "created", items: await bumpAllValues(tx, locked, locked.flag, at) };
  }
  const locked = await lockFlag(tx, ns, key);
  const target = locked.values.find((v) => v.env.id === env.id)!;
  if (JSON.stringify(target.row.value) === JSON.stringify(value) && JSON.stringify(target.row.targeting ?? null) === JSON.stringify(targeting)) {
    return { outcome: "unchanged", items: [] };
  }
  const row = { ...target.row, value, targeting, version: target.row.version + 1, committedAt: at, updatedAt: at };
  await tx.update(flagValues).set({ value, targeting, version: row.version, committedAt: at, updatedAt: at }).where(eq(flagValues.id, row.id));
  return { outcome: "updated", items: [desiredItem(locked.flag, ns, env.key, row, at)] };
}

/** Live flag keys and their prerequisites in `env`, for the reference and cycle checks. */
export async function namespaceFlags(tx: Tx, nsId: number, envId: number): Promise<Map<string, string[]>> {
  const rows = await tx
    .select({ key: flags.key, archived: flags.archived, targeting: flagValues.targeting })
    .from(flags)
    .innerJoin(flagValues, and(eq(flagValues.flagId, flags.id), eq(flagValues.environmentId, envId)))
    .where(and(eq(flags.namespaceId, nsId), isNull(flags.deletedAt)));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    if (r.archived) continue;
    const pre = (r.targeting as { prerequisites?: { flag?: unknown }[] } | null)?.prerequisites ?? [];
    out.set(r.key, pre.map((p) => p.flag).filter((k): k is string => typeof k === "string"));
  }
  return out;
}
