import { assertCan } from "../../auth/permissions";
import { parseInput } from "../../validation/parse";
import type { ServiceContext } from "../context";
import { SetFlagValueSchema, type FlagView } from "./schemas";
import { enqueueValueWrite } from "./value-write-queue";

/**
 * Sets a flag's value in one environment: value version +1, audit row and outbox row, one
 * transaction. Input and permission are checked here, per caller; the write itself goes through
 * the group-commit queue (value-write-queue.ts), which may share the transaction with other
 * concurrent value writes without changing what each of them sees or gets.
 */
export async function setFlagValue({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<FlagView> {
  const data = parseInput(SetFlagValueSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  return enqueueValueWrite(ctx, data);
}
