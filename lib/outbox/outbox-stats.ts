import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { outboxEvents } from "../db/schema";
import type { ServiceContext } from "../core/context";
import type { OutboxStatsView } from "./schemas";

/**
 * Backlog figures, read with one statement over the claim index (status prefix). Used by the worker's
 * metrics sampler and health endpoint as well as by the console; `now` is passed in so the age is
 * measured against the same clock the rows' timestamps were written with (the application's).
 */
export async function readOutboxStats(db: Db, now: Date = new Date()): Promise<OutboxStatsView> {
  const [rows] = (await db.execute(sql`
    SELECT
      COALESCE(SUM(${outboxEvents.status} = 'pending'), 0) AS pending,
      MIN(CASE WHEN ${outboxEvents.status} = 'pending' THEN ${outboxEvents.createdAt} END) AS oldest,
      COALESCE(SUM(${outboxEvents.status} = 'dead'), 0) AS dead
    FROM ${outboxEvents}
    WHERE ${outboxEvents.status} IN ('pending', 'dead')`)) as unknown as [{ pending: unknown; oldest: Date | string | null; dead: unknown }[]];
  const row = rows[0];
  const oldest = row?.oldest ? new Date(row.oldest instanceof Date ? row.oldest : `${row.oldest}Z`) : null;
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    dead: Number(row?.dead ?? 0),
  };
}

/**
 * Outbox health for the console and the API. Only counts and an age, nothing about any flag, so any
 * signed-in actor may read it (it tells an editor whether their change is still on its way).
 */
export async function outboxStats({ ctx }: { ctx: ServiceContext }): Promise<OutboxStatsView> {
  return readOutboxStats(ctx.db);
}
