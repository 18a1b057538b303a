import { z } from "zod";

/** LOG_LEVEL, shared by the process configuration (env.ts) and the logger, which reads it first. */
export const LogLevelSchema = z.enum(["debug", "info", "warn", "error", "silent"]).default("info");

export type LogLevel = z.infer<typeof LogLevelSchema>;
