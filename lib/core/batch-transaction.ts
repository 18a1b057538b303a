import { drizzle } from "drizzle-orm/mysql2";
import type { PoolConnection, ResultSetHeader } from "mysql2/promise";
import type { Db, Tx } from "../db/client";
import { execAll, type RawStatement } from "../db/raw-sql";
import type { ServiceContext } from "./context";
import { handOver, IMMEDIATE_PUBLISH_GRACE_MS, isRetryable, MAX_ATTEMPTS, OutboxCollector } from "./transaction";

/** Sends the transaction's writes and its COMMIT as one query; returns the writes' results. */
export type CommitWith = (stmts: RawStatement[]) => Promise<ResultSetHeader[]>;

/**
 * inTransaction for the group commit, on a connection of the multi-statement pool (batchDbFor):
 * START TRANSACTION is pipelined ahead of the first statement and COMMIT rides in the same query
 * as the writes, so a batch costs its lock read and one write round trip. `fn` must send its
 * writes through `commitWith` exactly once, or not at all (then nothing was written, and the
 * transaction just commits its reads). Deadlocks retry like inTransaction; ctx.onCommitted gets
 * the outbox rows after commit.
 */
export async function inBatchTransaction<T>(
  ctx: ServiceContext,
  batchDb: Db,
  fn: (tx: Tx, outbox: OutboxCollector, commitWith: CommitWith) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const outbox = new OutboxCollector(ctx.onCommitted ? IMMEDIATE_PUBLISH_GRACE_MS : 0);
    const conn = (await batchDb.$client.getConnection()) as PoolConnection;
    let committed = false;
    try {
      // Not awaited: it goes out first on this connection and the lock read queues behind it.
      // Its outcome is checked before anything is written (a failed BEGIN means the reads ran
      // outside a transaction, so no write may follow them).
      const begin = conn.query("START TRANSACTION");
      begin.catch(() => {});
      // Without the schema: drizzle would rebuild its relational config on every construction,
      // and the batch only needs the query builder.
      const tx = drizzle(conn) as unknown as Tx;
      const commitWith: CommitWith = async (stmts) => {
        if (committed) throw new Error("commitWith called twice");
        await begin;
        const results = await execAll(conn, [...stmts, { sql: "COMMIT", params: [] }], true);
        committed = true;
        return results.slice(0, stmts.length);
      };
      const result = await fn(tx, outbox, commitWith);
      await begin;
      if (!committed) {
        await conn.query("COMMIT");
        committed = true;
      }
      handOver(ctx, outbox);
      return result;
    } catch (err) {
      if (!committed) await conn.query("ROLLBACK").catch(() => {});
      if (committed || attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    } finally {
      conn.release();
    }
  }
}
