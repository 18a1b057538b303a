import { assertCan } from "../auth/permissions";
import { notFound, ServiceError } from "../errors/service-error";
import { rollbackWrite } from "../audit/rollback-write";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { RollbackTargetingSchema, type TargetingView } from "./schemas";
import { getTargeting, setTargeting } from "./targeting-verbs";
import { findTargetingVersion } from "./targeting-versions";

/**
 * Rolls a flag's rules in one environment back to an earlier audited version, like a value rollback
 * (rollback-flag-value.ts): never a rewrite of history but a new rules save through setTargeting, so
 * the restored rules pass the same checks as a PUT (strict values, segments and prerequisite flags
 * that exist now, no cycle), get a new version, their own audit row naming the version restored and
 * an outbox row; the value stays as it is now. A stale expectedVersion is a 409.
 */
export async function rollbackTargeting({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<TargetingView> {
  const data = parseInput(RollbackTargetingSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  const target = await findTargetingVersion(ctx, data.namespace, data.key, data.environment, data.toVersion);
  if (!target) throw notFound(`The rules of version ${data.toVersion} of ${data.namespace}/${data.key} in ${data.environment} in the audit history`);
  const now = await getTargeting({ ctx, input: { namespace: data.namespace, key: data.key, environment: data.environment } });
  const write = rollbackWrite(data, { subject: "the rules", currentVersion: now.version, eventId: target.eventId });
  const { namespace, key, environment } = data;
  try {
    return await setTargeting({
      ctx,
      input: { ...target.targeting, namespace, key, environment, ...write },
    });
  } catch (err) {
    // The old rules may name a segment or prerequisite flag deleted since: say which version cannot come back and why.
    if (err instanceof ServiceError && err.code === "validation_failed") {
      const why = (err.issues ?? []).map((i) => `${i.path}: ${i.message}`).join("; ");
      throw new ServiceError("validation_failed", `The rules of version ${data.toVersion} cannot be restored: ${why || err.message}`, { issues: err.issues, details: err.details });
    }
    throw err;
  }
}
