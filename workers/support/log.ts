/**
 * The worker's log function type and its factory, kept as thin delegates to the one logger
 * (lib/observability/logger.ts), so the relay, reconciler and elector keep their `log(level, event,
 * fields)` calls. Each line carries a stable machine-readable `event` name (tests and the chaos
 * runner wait for them) besides the logger's common shape; secrets are scrubbed by the logger.
 */
import { describeError, rootLogger } from "../../lib/observability/logger";

export { describeError };

export type LogLevel = "debug" | "info" | "warn" | "error";

export type WorkerLog = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

/** A worker log writing through the process's logger, bound to `base` fields. */
export function jsonLog(base: Record<string, unknown>, minLevel?: LogLevel | "silent"): WorkerLog {
  const logger = rootLogger().child({ component: "worker", ...base });
  if (minLevel !== undefined) logger.level = minLevel;
  return (level, event, fields = {}) => logger[level]({ event, ...fields }, event);
}

export const silentLog: WorkerLog = () => {};
