import { getEnv } from "../config/env";
import { redactQueryParams } from "../db/errors";

/**
 * Minimal structured logging for the HTTP layer: one JSON line per event on stderr. The real error
 * (stack included) is logged here with the trace id; clients only ever see a generic message.
 */
function enabled(level: "warn" | "error"): boolean {
  try {
    const configured = getEnv().LOG_LEVEL;
    return configured !== "silent" && !(configured === "error" && level === "warn");
  } catch {
    return true; // misconfigured process: still say what went wrong
  }
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const stack = err.stack === undefined ? undefined : redactQueryParams(err.stack);
    return { name: err.name, message: redactQueryParams(err.message), code: (err as { code?: unknown }).code, stack, cause: cause ? describe(cause) : undefined };
  }
  return { value: redactQueryParams(String(err)) };
}

export function logEvent(level: "warn" | "error", msg: string, fields: Record<string, unknown> = {}, err?: unknown): void {
  if (!enabled(level)) return;
  const line = { level, time: new Date().toISOString(), msg, ...fields, ...(err === undefined ? {} : { err: describe(err) }) };
  console.error(JSON.stringify(line));
}
