/**
 * Structured worker logging: one JSON line per event on stdout, so a log shipper can parse it and a
 * human can still grep it. Fields are passed explicitly; nothing secret (URLs with passwords, tokens)
 * is ever handed to the logger, and errors are reduced to their name and message.
 */
import { redactQueryParams } from "../../lib/db/errors";

export type LogLevel = "debug" | "info" | "warn" | "error";

export type WorkerLog = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

const RANK: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Turns an error into something JSON can carry without stack traces or causes full of secrets. */
export function describeError(err: unknown): { name: string; message: string; cause?: { name: string; message: string } } {
  if (err instanceof Error) {
    const out = { name: err.constructor?.name || err.name, message: redactQueryParams(err.message).slice(0, 500) };
    // Driver errors (drizzle wraps mysql2's) carry the useful part in `cause`.
    return err.cause instanceof Error ? { ...out, cause: describeError(err.cause) } : out;
  }
  if (err && typeof err === "object" && "message" in err) return { name: String((err as { name?: unknown }).name ?? "Error"), message: redactQueryParams(String(err.message)).slice(0, 500) };
  return { name: typeof err, message: redactQueryParams(String(err)).slice(0, 500) };
}

export function jsonLog(base: Record<string, unknown>, minLevel: LogLevel | "silent" = "info", write: (line: string) => void = (l) => console.log(l)): WorkerLog {
  return (level, event, fields = {}) => {
    if (RANK[level] < RANK[minLevel]) return;
    const out: Record<string, unknown> = { ts: new Date().toISOString(), level, event, ...base };
    for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? describeError(v) : v;
    write(JSON.stringify(out));
  };
}

export const silentLog: WorkerLog = () => {};
