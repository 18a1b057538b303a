import { bigint, char, index, mysqlTable } from "drizzle-orm/mysql-core";
import { id } from "./columns";

/**
 * Failed console sign-ins, shared by every app process so the limits hold however many replicas
 * run (lib/auth/shared-login-rate-limit.ts). `subject` is a SHA-256 of "account:<e-mail>" or
 * "address:<ip>": the table never holds who tried to sign in, only how often. Times are epoch ms
 * from the app's clock (the window is minutes long; replica clock skew does not matter).
 */
export const loginFailures = mysqlTable(
  "login_failures",
  {
    id: id(),
    subject: char("subject", { length: 64 }).notNull(),
    failedAtMs: bigint("failed_at_ms", { mode: "number" }).notNull(),
  },
  (t) => [index("login_failures_subject_idx").on(t.subject, t.failedAtMs), index("login_failures_time_idx").on(t.failedAtMs)],
);
