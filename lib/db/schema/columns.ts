import { bigint, customType, datetime } from "drizzle-orm/mysql-core";
import { sql } from "drizzle-orm";

/** Surrogate keys are unsigned BIGINT auto-increment; `mode: "number"` is safe below 2^53. */
export const id = () => bigint("id", { mode: "number", unsigned: true }).autoincrement().primaryKey();

export const ref = (name: string) => bigint(name, { mode: "number", unsigned: true });

/** Millisecond timestamps: propagation latency is measured from these, so seconds are too coarse. */
export const ts = (name: string) => datetime(name, { mode: "date", fsp: 3 });

export const createdAt = () => ts("created_at").notNull().default(sql`CURRENT_TIMESTAMP(3)`);
export const updatedAt = () => ts("updated_at").notNull().default(sql`CURRENT_TIMESTAMP(3)`);

/**
 * JSON stored as MEDIUMTEXT with explicit (de)serialisation. MySQL 8 returns JSON columns parsed
 * while MariaDB (where JSON is LONGTEXT) returns strings, and guessing from the driver value would
 * turn the string "123" into the number 123 on one engine only. Text keeps both engines identical.
 */
export const jsonText = customType<{ data: unknown; driverData: string | null }>({
  dataType: () => "mediumtext",
  toDriver: (value) => JSON.stringify(value ?? null),
  fromDriver: (value) => (value === null ? null : JSON.parse(value)),
});
