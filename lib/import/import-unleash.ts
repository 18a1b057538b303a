import { findPrerequisiteCycle, referenceIssues } from "../../sdk/src/targeting";
import { assertCan } from "../auth/permissions";
import type { PublishItem } from "../etcd/fence";
import { notFound, ServiceError, type FieldIssue } from "../errors/service-error";
import { writeOutbox } from "../outbox/write-outbox";
import { namespaceId } from "../segments/segment-state";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { lockEnvironmentsShared } from "../environments/lock-environments";
import { inTransaction } from "../core/transaction";
import { parseInput } from "../validation/parse";
import { placePlan } from "./import-plan";
import { importFlag, importSegment, namespaceFlags } from "./import-writes";
import { ImportUnleashSchema, type ImportReport } from "./schemas";

/** Thrown at the end of a dry run to roll its transaction back, carrying the report. */
class DryRunDone extends Error {
  constructor(readonly report: ImportReport) {
    super("dry run");
  }
}

/**
 * Imports an Unleash client features payload into one environment (issue 14): flags (boolean),
 * their rules in that environment, and the segments, in ONE transaction with ONE audit event.
 * Namespace admins of every target namespace (or super-admins) only: an import creates flags that
 * serve in every environment and overwrites rules wholesale.
 *
 * A dry run executes exactly the same transaction and rolls it back, so its report (created /
 * updated / unchanged, notes) is what the real run would do, including its refusals, and nothing
 * changes: no row, no audit event, no outbox row, no etcd key. Any refusal (422 for an invalid
 * payload, a flag of another type, a missing segment or flag, a prerequisite cycle; 404 for a
 * missing namespace or environment) rolls everything back.
 */
export async function importUnleash({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<ImportReport> {
  const data = parseInput(ImportUnleashSchema, input);
  const placed = placePlan(data.payload, data.namespace);
  const targets = placed.flags.size ? [...placed.flags.keys()] : [data.namespace ?? "default"];
  for (const ns of targets) assertCan(ctx.actor, "namespace:admin", { namespaceKey: ns });
  const dryRun = data.dryRun ?? false;
  try {
    return await inTransaction(ctx, async (tx, outbox) => {
      const at = new Date();
      const report: ImportReport = {
        dryRun,
        environment: data.environment,
        created: { flags: [], segments: [] },
        updated: { flags: [], segments: [] },
        unchanged: { flags: [], segments: [] },
        notes: placed.notes,
      };
      const envs = await lockEnvironmentsShared(tx);
      const env = envs.find((e) => e.key === data.environment);
      if (!env) throw notFound(`Environment '${data.environment}'`);
      const segmentItems: PublishItem[] = [];
      const flagItems: PublishItem[] = [];
      for (const ns of targets) {
        const nsId = await namespaceId(tx, ns);
        for (const seg of placed.segments) {
          const r = await importSegment(tx, nsId, ns, seg, envs, at);
          report[r.outcome].segments.push(`${ns}/${seg.key}`);
          segmentItems.push(...r.items);
        }
        const imported = placed.flags.get(ns) ?? [];
        await assertConsistent(tx, nsId, env.id, ns, imported, new Set(placed.segments.map((s) => s.key)));
        for (const f of imported) {
          const r = await importFlag(tx, nsId, ns, f, envs, env, at);
          report[r.outcome].flags.push(`${ns}/${f.targeting.key}`);
          flagItems.push(...r.items);
        }
      }
      await writeAudit(tx, ctx.actor, ctx.meta, {
        action: "import.unleash",
        targetType: "namespace",
        namespaceKey: targets.length === 1 ? targets[0]! : null,
        environmentKey: data.environment,
        before: null,
        after: { source: "unleash", created: report.created, updated: report.updated, notes: report.notes.length },
        reason: data.reason,
      });
      // Segments first: a client applying the transaction's events in order knows a rule's segment before the rule.
      await writeOutbox(tx, outbox, [...segmentItems, ...flagItems], at);
      if (dryRun) throw new DryRunDone(report);
      return report;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.report;
    throw err;
  }
}

/** Every segment and prerequisite the imported rules name exists, and no prerequisite cycle forms. */
async function assertConsistent(tx: Parameters<typeof namespaceFlags>[0], nsId: number, envId: number, ns: string, imported: { targeting: Parameters<typeof referenceIssues>[0] }[], segmentKeys: Set<string>): Promise<void> {
  const edges = await namespaceFlags(tx, nsId, envId);
  for (const f of imported) edges.set(f.targeting.key, f.targeting.prerequisites.map((p) => p.flag));
  const issues: FieldIssue[] = [];
  for (const f of imported) {
    for (const i of referenceIssues(f.targeting, { segments: segmentKeys, flags: new Set(edges.keys()) })) {
      issues.push({ path: `features.${f.targeting.key}.${i.path.join(".")}`, message: i.message });
    }
  }
  const cycle = findPrerequisiteCycle(edges);
  if (cycle) issues.push({ path: `features.${cycle[0]}.dependencies`, message: `prerequisite cycle in ${ns}: ${cycle.join(" -> ")}` });
  if (issues.length) throw new ServiceError("validation_failed", "The payload cannot be imported; nothing was changed", { issues });
}
