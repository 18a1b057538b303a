import { index, int, mediumtext, mysqlTable, char, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { createdAt, id } from "./columns";

/**
 * Outcomes of writes, written in the SAME transaction as the write itself, so "is this row here?"
 * on a fresh connection says exactly whether the write committed (lib/idempotency/*).
 *
 * - Client keys (`Idempotency-Key` header): `scope` is the caller ("token:<id>", "user:<id>"),
 *   `fingerprint` a SHA-256 of method, path and body, `status`/`response` the answer to replay.
 * - Commit markers: `scope` = "commit", one per value-write transaction, no fingerprint/response;
 *   the outcome check after a lost COMMIT acknowledgement claims the same key, which also fences
 *   off a COMMIT still on its way to the server.
 *
 * Rows are kept at least 24 h and pruned after (created_at index); client keys are capped per scope.
 */
export const idempotencyKeys = mysqlTable(
  "idempotency_keys",
  {
    id: id(),
    scope: varchar("scope", { length: 80 }).notNull(),
    idemKey: varchar("idem_key", { length: 255 }).notNull(),
    fingerprint: char("fingerprint", { length: 64 }),
    status: int("status"),
    response: mediumtext("response"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("idempotency_keys_scope_key_idx").on(t.scope, t.idemKey), index("idempotency_keys_created_idx").on(t.createdAt)],
);
