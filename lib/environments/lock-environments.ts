import { sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import type { EnvRow } from "../flags/flag-state";

/**
 * All environments under a shared lock. Written as `LOCK IN SHARE MODE` because MariaDB does not
 * accept `FOR SHARE`; MySQL 8 accepts both.
 */
export async function lockEnvironmentsShared(tx: Tx): Promise<Pick<EnvRow, "id" | "key">[]> {
  const [rows] = (await tx.execute(sql`SELECT id, \`key\` FROM environments ORDER BY id LOCK IN SHARE MODE`)) as unknown as [
    { id: number | string; key: string }[],
  ];
  return rows.map((r) => ({ id: Number(r.id), key: r.key }));
}
