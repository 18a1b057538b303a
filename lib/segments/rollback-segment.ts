import { assertCan } from "../auth/permissions";
import { notFound } from "../errors/service-error";
import { rollbackWrite } from "../audit/rollback-write";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { RollbackSegmentSchema, type SegmentView } from "./schemas";
import { getSegment, updateSegment } from "./segment-verbs";
import { findSegmentVersion } from "./segment-versions";

/**
 * Rolls a segment back to an earlier audited version (its name and constraints), like a value
 * rollback: a new change through updateSegment (new version, audit row naming the version restored,
 * one outbox row per environment, the strict constraint checks of a PATCH, 409 on a stale
 * expectedVersion). Same permission as any segment write (flag:write in every environment) plus
 * reading the history. A deleted segment is 404, as for an update: it does not exist now, and
 * bringing it back is a create (POST), which continues its version sequence.
 */
export async function rollbackSegment({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<SegmentView> {
  const data = parseInput(RollbackSegmentSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, everyEnvironment: true });
  const now = await getSegment({ ctx, input: { namespace: data.namespace, segmentKey: data.segmentKey } });
  const target = await findSegmentVersion(ctx, data.namespace, data.segmentKey, data.toVersion);
  if (!target) throw notFound(`Version ${data.toVersion} of segment ${data.namespace}/${data.segmentKey} in the audit history`);
  const write = rollbackWrite(data, { currentVersion: now.version, eventId: target.eventId });
  return updateSegment({
    ctx,
    input: { namespace: data.namespace, segmentKey: data.segmentKey, name: target.name, constraints: target.constraints, ...write },
  });
}
