import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { assertSuperAdmin } from "../auth/permissions";
import { outboxEvents } from "../db/schema";
import { dueAt } from "./write-outbox";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { ListDeadLettersSchema, RetryDeadLettersSchema, type DeadLetterView } from "./schemas";

type OutboxRow = typeof outboxEvents.$inferSelect;

const toView = (r: OutboxRow): DeadLetterView => ({
  id: r.id,
  etcdKey: r.etcdKey,
  op: r.op,
  version: r.version,
  attempts: r.attempts,
  lastError: r.lastError ?? null,
  payload: r.payload,
  createdAt: r.createdAt.toISOString(),
  lastAttemptAt: r.nextAttemptAt.toISOString(),
});

/**
 * Outbox rows the relay gave up on (status `dead`), oldest first with keyset pagination. Payloads
 * can hold any namespace's values, so only super-admins may list them.
 */
export async function listDeadLetters({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ items: DeadLetterView[]; nextAfterId: number | null }> {
  const data = parseInput(ListDeadLettersSchema, input ?? {});
  assertSuperAdmin(ctx.actor, "inspect the outbox");
  const rows = await ctx.db
    .select()
    .from(outboxEvents)
    .where(and(eq(outboxEvents.status, "dead"), gt(outboxEvents.id, data.afterId ?? 0)))
    .orderBy(asc(outboxEvents.id))
    .limit(data.limit + 1);
  const page = rows.slice(0, data.limit);
  const last = page[page.length - 1];
  return { items: page.map(toView), nextAfterId: rows.length > data.limit && last ? last.id : null };
}

const AUDITED_IDS = 1000;

/**
 * Puts dead rows back in the queue (status pending, attempts 0, due now), all of them or the given
 * ids; rows that are not dead are left alone. Re-publishing is always safe because every publish is
 * fenced: a row older than what etcd holds becomes a no-op. Super-admins only; audited.
 */
export async function retryDeadLetters({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{ retried: number; ids: number[] }> {
  const data = parseInput(RetryDeadLettersSchema, input ?? {});
  assertSuperAdmin(ctx.actor, "retry outbox rows");
  return inTransaction(ctx, async (tx) => {
    const where = data.ids ? and(eq(outboxEvents.status, "dead"), inArray(outboxEvents.id, data.ids)) : eq(outboxEvents.status, "dead");
    const locked = await tx.select({ id: outboxEvents.id }).from(outboxEvents).where(where).orderBy(asc(outboxEvents.id)).for("update");
    const ids = locked.map((r) => r.id);
    const CHUNK = 1000;
    for (let i = 0; i < ids.length; i += CHUNK) {
      await tx
        .update(outboxEvents)
        .set({ status: "pending", attempts: 0, nextAttemptAt: dueAt(0) })
        .where(and(eq(outboxEvents.status, "dead"), inArray(outboxEvents.id, ids.slice(i, i + CHUNK))));
    }
    if (ids.length > 0) {
      await writeAudit(tx, ctx.actor, ctx.meta, {
        action: "outbox.retry",
        targetType: "outbox",
        targetId: ids.length === 1 ? ids[0] : null,
        before: { status: "dead" },
        after: { status: "pending", count: ids.length, ids: ids.slice(0, AUDITED_IDS), idsTruncated: ids.length > AUDITED_IDS },
        reason: data.reason,
      });
    }
    return { retried: ids.length, ids };
  });
}
