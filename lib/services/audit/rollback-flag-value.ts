import { assertCan } from "../../auth/permissions";
import { notFound, ServiceError } from "../../errors/service-error";
import { parseInput } from "../../validation/parse";
import type { ServiceContext } from "../context";
import { getFlag } from "../flags/get-flag";
import type { FlagView } from "../flags/schemas";
import { setFlagValue } from "../flags/set-flag-value";
import { getFlagHistory } from "./list-audit";
import { FlagHistorySchema, RollbackFlagValueSchema, type AuditEventView, type ValueVersion } from "./schemas";

type Snapshot = { value: unknown; version: number };

const isSnapshot = (v: unknown): v is Snapshot =>
  typeof v === "object" && v !== null && "version" in v && typeof (v as Snapshot).version === "number" && "value" in v;

/**
 * The (environment, version) -> value pairs an audit event records. A value change records one
 * environment; flag-level changes (create, archive, delete...) record every environment's value.
 */
function snapshotsOf(e: AuditEventView): { environment: string; snap: Snapshot }[] {
  const out: { environment: string; snap: Snapshot }[] = [];
  for (const side of [e.before, e.after]) {
    if (e.environment && isSnapshot(side)) out.push({ environment: e.environment, snap: side });
    const values = (side as { values?: Record<string, unknown> } | null)?.values;
    if (!e.environment && values && typeof values === "object") {
      for (const [env, v] of Object.entries(values)) if (isSnapshot(v)) out.push({ environment: env, snap: v });
    }
  }
  return out;
}

/** Every audited version of a flag's values, per environment, newest first (what rollback can restore). */
export async function listFlagValueVersions({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<ValueVersion[]> {
  const data = parseInput(FlagHistorySchema, input);
  const history = await getFlagHistory({ ctx, input: data });
  const seen = new Map<string, ValueVersion>();
  // Oldest first, so the first event that mentions a version (the one that created it) names it.
  for (const e of [...history].reverse()) {
    for (const { environment, snap } of snapshotsOf(e)) {
      const id = `${environment}@${snap.version}`;
      if (!seen.has(id)) {
        seen.set(id, { environment, version: snap.version, value: snap.value, eventId: e.id, action: e.action, actorName: e.actorName, occurredAt: e.occurredAt });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.environment.localeCompare(b.environment) || b.version - a.version);
}

/**
 * Rolls a flag's value in one environment back to an earlier audited version. This never rewrites
 * history: it is a new change through setFlagValue (a new version, its own audit row naming the version
 * it restores, and an outbox row), so it needs write access there and obeys expectedVersion (409).
 */
export async function rollbackFlagValue({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(RollbackFlagValueSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  const versions = await listFlagValueVersions({ ctx, input: { namespace: data.namespace, key: data.key } });
  const target = versions.find((v) => v.environment === data.environment && v.version === data.toVersion);
  if (!target) throw notFound(`Version ${data.toVersion} of ${data.namespace}/${data.key} in ${data.environment} in the audit history`);
  const current = await getFlag({ ctx, input: { namespace: data.namespace, key: data.key } });
  const now = current.values[data.environment];
  if (!now) throw notFound(`Environment '${data.environment}'`);
  if (data.toVersion >= now.version) {
    throw new ServiceError("bad_request", `Version ${data.toVersion} is not earlier than the current version ${now.version}`);
  }
  const note = `Rollback to version ${data.toVersion} (audit event #${target.eventId})`;
  return setFlagValue({
    ctx,
    input: {
      namespace: data.namespace,
      key: data.key,
      environment: data.environment,
      value: target.value,
      expectedVersion: data.expectedVersion ?? now.version,
      reason: data.reason ? `${note}: ${data.reason}` : note,
    },
  });
}
