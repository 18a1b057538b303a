import { sql } from "drizzle-orm";
import type { Db } from "../../lib/db/client";

/**
 * What an editor limited to staging must never change (issue 12 item 8): every flag's default
 * value (served by environments created later) and every value outside staging. The fuzz suites
 * compare this before and after each write such an editor makes.
 */
export async function beyondStaging(db: Db): Promise<string> {
  const [rows] = await db.execute(
    sql`SELECT f.id, f.default_value, e.\`key\` AS env, v.value FROM flags f LEFT JOIN flag_values v ON v.flag_id = f.id LEFT JOIN environments e ON e.id = v.environment_id AND e.\`key\` <> 'staging' ORDER BY f.id, v.id`,
  );
  return JSON.stringify((rows as unknown as { env: string | null }[]).map((r) => (r.env ? r : { ...r, value: null })));
}
