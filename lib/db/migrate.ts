import { migrate } from "drizzle-orm/mysql2/migrator";
import mysql from "mysql2/promise";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, closeDb } from "./client";

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");

/** Creates the database (utf8mb4) when missing, then applies drizzle/ migrations in order. */
export async function migrateDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name: ${name}`);
  const admin = new URL(url);
  admin.pathname = "/";
  const conn = await mysql.createConnection({ uri: admin.toString() });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
  // No statement deadline: a migration may rewrite a large table.
  const db = createDb(url, 2, { connectTimeoutMs: 10_000, queryTimeoutMs: 0 });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS });
  } finally {
    await closeDb(db);
  }
}
