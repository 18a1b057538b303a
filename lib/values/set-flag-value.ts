import { assertCan } from "../auth/permissions";
import { parseInput } from "../validation/parse";
import type { ServiceContext } from "../core/context";
import type { IdempotencyClaim } from "../idempotency/commit-outcome";
import { SetFlagValueSchema, type FlagView } from "../flags/schemas";
import { enqueueValueWrite } from "./value-write-queue";

/**
 * Sets a flag's value in one environment: value version +1, audit row and outbox row, one
 * transaction. Input and permission are checked here, per caller; the write itself goes through
 * the group-commit queue (value-write-queue.ts), which may share the transaction with other
 * concurrent value writes without changing what each of them sees or gets.
 */
export async function setFlagValue({ ctx, input, claim }: { ctx: ServiceContext; input: unknown; claim?: IdempotencyClaim }): Promise<FlagView> {
  const data = parseInput(SetFlagValueSchema, input);
  assertCan(ctx.actor, "flag:write", { namespaceKey: data.namespace, environmentKey: data.environment });
  // The admin API passes an Idempotency-Key in the context (http/idempotency.ts), the console as
  // `claim`; the queue records it with the batch's own rows, so the batch's context goes without it.
  const { idempotency, ...plain } = ctx;
  return enqueueValueWrite(plain, data, claim ?? idempotency);
}
