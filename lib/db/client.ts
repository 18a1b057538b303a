import { drizzle, type MySql2Database } from "drizzle-orm/mysql2";
import mysql from "mysql2/promise";
import * as schema from "./schema";
import { getEnv } from "../config/env";

export type Db = MySql2Database<typeof schema> & { $client: mysql.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function createDb(url: string, poolSize = 20): Db {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: poolSize,
    // Timestamps are written and read as UTC so app, worker and database agree across time zones.
    timezone: "Z",
    dateStrings: false,
    charset: "utf8mb4_unicode_ci",
    enableKeepAlive: true,
  });
  return drizzle(pool, { schema, mode: "default" }) as Db;
}

const globalForDb = globalThis as unknown as { mizuflowDb?: Db };

/** The process-wide pool; survives Next.js dev reloads instead of leaking a pool per reload. */
export function getDb(): Db {
  if (!globalForDb.mizuflowDb) {
    const env = getEnv();
    globalForDb.mizuflowDb = createDb(env.DATABASE_URL, env.DB_POOL_SIZE);
  }
  return globalForDb.mizuflowDb;
}

export async function closeDb(db: Db): Promise<void> {
  await db.$client.end();
}
