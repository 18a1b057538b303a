import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import type { Pool, PoolConnection, ResultSetHeader } from "mysql2/promise";
import type { Db, Tx } from "./client";

/**
 * Plain parameterised SQL for the few multi-row statements on the hot write path (group commit,
 * outbox, audit). Drizzle's query builder spends more CPU building a 500-parameter INSERT than
 * MySQL spends running it; mysql2's own `?` formatting is several times cheaper. Values are
 * always bound (`?`), never spliced; table and column names come from the drizzle schema, so
 * the two cannot drift apart.
 */
type Queryable = Pick<PoolConnection, "query"> | Pick<Pool, "query">;

/**
 * The mysql2 connection of a drizzle transaction. drizzle-orm (pinned) keeps it on the
 * transaction's session; the write-path tests fail at once if that ever changes.
 */
export function connectionOf(tx: Tx): Queryable {
  const client = (tx as unknown as { session?: { client?: Queryable } }).session?.client;
  if (!client || typeof client.query !== "function") throw new Error("drizzle transaction layout changed: no session.client");
  return client;
}

export function poolOf(db: Db): Queryable {
  return db.$client;
}

export async function execRaw(on: Queryable, sqlText: string, params: unknown[]): Promise<ResultSetHeader> {
  const [res] = await (on.query as (sql: string, values: unknown[]) => Promise<[ResultSetHeader, unknown]>)(sqlText, params);
  return res;
}

const quote = (name: string) => `\`${name.replaceAll("`", "``")}\``;

/**
 * `INSERT INTO t (a, b) VALUES ?` for the given drizzle columns (by property name); execute with
 * [rows] where each row lists the values in the same order (mysql2 expands the nested array).
 */
export function multiInsert<T extends Table>(table: T, props: (keyof T["_"]["columns"] & string)[]): string {
  const cols = getTableColumns(table) as Record<string, { name: string }>;
  const names = props.map((p) => {
    const c = cols[p];
    if (!c) throw new Error(`${getTableName(table)} has no column ${p}`);
    return quote(c.name);
  });
  return `INSERT INTO ${quote(getTableName(table))} (${names.join(", ")}) VALUES ?`;
}

export function columnName<T extends Table>(table: T, prop: keyof T["_"]["columns"] & string): string {
  const c = (getTableColumns(table) as Record<string, { name: string }>)[prop];
  if (!c) throw new Error(`${getTableName(table)} has no column ${prop}`);
  return quote(c.name);
}

export const tableName = (table: Table) => quote(getTableName(table));

/**
 * JSON columns are MEDIUMTEXT written by jsonText (schema/columns.ts): the same encoding here,
 * including drizzle's rule that null is stored as SQL NULL.
 */
export const jsonParam = (value: unknown) => (value === null ? null : JSON.stringify(value ?? null));

/** One statement with its bound values. */
export interface RawStatement {
  sql: string;
  params: unknown[];
}

/**
 * Runs statements in order and returns each one's result. On a connection that accepts several
 * statements per query (batchDbFor) they go out as ONE query, one round trip; MySQL stops at the
 * first failing statement and the error rejects the whole call, as the transaction must then roll
 * back anyway.
 */
export async function execAll(on: Queryable, stmts: RawStatement[], multi: boolean): Promise<ResultSetHeader[]> {
  if (stmts.length === 0) return [];
  if (!multi || stmts.length === 1) {
    const out: ResultSetHeader[] = [];
    for (const st of stmts) out.push(await execRaw(on, st.sql, st.params));
    return out;
  }
  const [results] = await (on.query as (sql: string, values: unknown[]) => Promise<[ResultSetHeader[], unknown]>)(
    stmts.map((st) => st.sql).join(";\n"),
    stmts.flatMap((st) => st.params),
  );
  return results;
}
