import { assertCan } from "../auth/permissions";
import { notFound } from "../errors/service-error";
import { rollbackWrite } from "../audit/rollback-write";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import { getFlag } from "../flags/get-flag";
import type { FlagView } from "../flags/schemas";
import { setFlagValue } from "./set-flag-value";
import { RollbackFlagValueSchema } from "../audit/schemas";
import { findValueVersion } from "./value-versions";

/**
 * Rolls a flag's value in one environment back to an earlier audited version. This never rewrites
 * history: it is a new change through setFlagValue (a new version, its own audit row naming the version
 * it restores, and an outbox row), so it needs write access there and obeys expectedVersion (409).
 */
export async function rollbackFlagValue({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(RollbackFlagValueSchema, input);
  assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  const target = await findValueVersion(ctx, data.namespace, data.key, data.environment, data.toVersion);
  if (!target) throw notFound(`Version ${data.toVersion} of ${data.namespace}/${data.key} in ${data.environment} in the audit history`);
  const current = await getFlag({ ctx, input: { namespace: data.namespace, key: data.key } });
  const now = current.values[data.environment];
  if (!now) throw notFound(`Environment '${data.environment}'`);
  const write = rollbackWrite(data, { currentVersion: now.version, eventId: target.eventId });
  return setFlagValue({
    ctx,
    input: { namespace: data.namespace, key: data.key, environment: data.environment, value: target.value, ...write },
  });
}
