import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { cycleAfterSave, referenceIssues, type FlagTargeting } from "../../sdk/src/targeting";
import type { Tx } from "../db/client";
import { environments, flags, flagValues, namespaces, segments } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { targetingInvalid } from "../segments/segment-state";

/**
 * The checks a rules save needs from the database (issue 14): referenced segments exist (and stay:
 * they are read under a shared lock, so a concurrent segment delete waits for this save and then
 * sees the reference), prerequisite flags exist in the namespace, and no prerequisite cycle forms.
 */
export async function assertReferences(tx: Tx, nsId: number, environmentId: number, flag: FlagTargeting): Promise<void> {
  const segKeys = [...new Set(flag.rules.flatMap((r) => r.segments))];
  const preKeys = [...new Set(flag.prerequisites.map((p) => p.flag))];
  const knownSegments = segKeys.length
    ? await sharedSegmentKeys(tx, nsId, segKeys)
    : [];
  const knownFlags = preKeys.length
    ? await tx
        .select({ key: flags.key })
        .from(flags)
        .where(and(eq(flags.namespaceId, nsId), inArray(flags.key, preKeys), isNull(flags.deletedAt), eq(flags.archived, false)))
    : [];
  const issues = referenceIssues(flag, { segments: new Set(knownSegments.map((s) => s.key)), flags: new Set(knownFlags.map((f) => f.key)) });
  if (issues.length) throw targetingInvalid(issues);
  if (!preKeys.length) return;
  const cycle = cycleAfterSave(await prerequisiteEdges(tx, nsId, environmentId), flag.key, preKeys);
  if (cycle) {
    throw new ServiceError("validation_failed", "Invalid input", {
      issues: [{ path: "prerequisites", message: `would create a prerequisite cycle: ${cycle.join(" -> ")}` }],
      details: { cycle },
    });
  }
}

/**
 * Saves that add prerequisites serialise per namespace (the namespace row, FOR UPDATE, taken before
 * the flag row), so two concurrent saves cannot each add half of a cycle. Saves without
 * prerequisites cannot close a cycle and skip this lock.
 */
export async function lockNamespaceForPrerequisites(tx: Tx, namespaceKey: string): Promise<void> {
  await tx.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, namespaceKey)).for("update");
}

/** The live segments among `keys`, under a shared lock (`LOCK IN SHARE MODE`: MariaDB has no `FOR SHARE`). */
async function sharedSegmentKeys(tx: Tx, nsId: number, keys: string[]): Promise<{ key: string }[]> {
  const [rows] = (await tx.execute(
    sql`SELECT \`key\` FROM ${segments} WHERE namespace_id = ${nsId} AND \`key\` IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)}) AND deleted_at IS NULL LOCK IN SHARE MODE`,
  )) as unknown as [{ key: string }[]];
  return rows;
}

/** flag key -> prerequisite flag keys, for the namespace's live flags in one environment. */
async function prerequisiteEdges(tx: Tx, nsId: number, environmentId: number): Promise<Map<string, string[]>> {
  const rows = await tx
    .select({ key: flags.key, targeting: flagValues.targeting })
    .from(flagValues)
    .innerJoin(flags, eq(flags.id, flagValues.flagId))
    .innerJoin(environments, eq(environments.id, flagValues.environmentId))
    .where(and(eq(flags.namespaceId, nsId), eq(flagValues.environmentId, environmentId), isNull(flags.deletedAt)));
  const edges = new Map<string, string[]>();
  for (const r of rows) {
    const pre = (r.targeting as { prerequisites?: { flag?: unknown }[] } | null)?.prerequisites ?? [];
    const keys = pre.map((p) => p.flag).filter((k): k is string => typeof k === "string");
    if (keys.length) edges.set(r.key, keys);
  }
  return edges;
}
