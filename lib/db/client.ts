import { drizzle, type MySql2Database } from "drizzle-orm/mysql2";
import mysql from "mysql2/promise";
import * as schema from "./schema";
import { getEnv } from "../config/env";
import { boundedPool } from "./bounded-pool";

export type Db = MySql2Database<typeof schema> & { $client: mysql.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * How long a caller may wait on the database before getting an error (which the API answers with
 * 503): connecting, waiting for a pooled connection, and any one statement (0 = no statement
 * deadline). Without these a frozen or partitioned server makes callers hang indefinitely. The app's
 * request path (getDb) uses the short DB_CONNECT_TIMEOUT_MS / DB_QUERY_TIMEOUT_MS; other callers
 * get these generous defaults, which only catch real hangs.
 */
export interface DbTimeouts {
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectTimeoutMs: 10_000, queryTimeoutMs: 60_000 };

export function createDb(url: string, poolSize = 20, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS, opts: { multipleStatements?: boolean } = {}): Db {
  const raw = mysql.createPool({
    multipleStatements: opts.multipleStatements ?? false,
    uri: url,
    connectionLimit: poolSize,
    connectTimeout: timeouts.connectTimeoutMs,
    // Timestamps are written and read as UTC so app, worker and database agree across time zones.
    timezone: "Z",
    dateStrings: false,
    charset: "utf8mb4_unicode_ci",
    enableKeepAlive: true,
    // mysql2 otherwise captures a stack trace for every statement (to decorate a possible error);
    // on the write path that was a measurable share of CPU, and our errors are mapped, not shown.
    trace: false,
  });
  const pool = boundedPool(raw, {
    acquireTimeoutMs: timeouts.connectTimeoutMs + 1_000,
    queryTimeoutMs: timeouts.queryTimeoutMs,
  });
  const db = drizzle(pool, { schema, mode: "default" }) as Db;
  configs.set(db, { url, timeouts });
  return db;
}

const configs = new WeakMap<Db, { url: string; timeouts: DbTimeouts }>();
const batchDbs = new WeakMap<Db, Db>();
const closedDbs = new WeakSet<Db>();
const BATCH_POOL_SIZE = 8;

/**
 * A small second pool on the same database whose connections accept several statements per
 * query, for the group commit only (services/flags/value-write-queue.ts), which sends its
 * update and inserts in one round trip. Kept apart on purpose: every statement it runs is built
 * by our code with bound values, while the main pool keeps MySQL's one-statement-per-query rule as
 * a second line of defence. Closed with its main pool (closeDb).
 */
export function batchDbFor(db: Db): Db | null {
  const existing = batchDbs.get(db);
  if (existing) return existing;
  const config = configs.get(db);
  if (!config || closedDbs.has(db)) return null;
  const batch = createDb(config.url, BATCH_POOL_SIZE, config.timeouts, { multipleStatements: true });
  batchDbs.set(db, batch);
  return batch;
}

const globalForDb = globalThis as unknown as { mizuflowDb?: Db };

/** The process-wide pool; survives Next.js dev reloads instead of leaking a pool per reload. */
export function getDb(): Db {
  if (!globalForDb.mizuflowDb) {
    const env = getEnv();
    globalForDb.mizuflowDb = createDb(env.DATABASE_URL, env.DB_POOL_SIZE, {
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
    });
  }
  return globalForDb.mizuflowDb;
}

export async function closeDb(db: Db): Promise<void> {
  closedDbs.add(db);
  const batch = batchDbs.get(db);
  batchDbs.delete(db);
  if (batch) await batch.$client.end().catch(() => {});
  await db.$client.end();
}
