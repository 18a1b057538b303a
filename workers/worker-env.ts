import os from "node:os";
import { z } from "zod";

/**
 * Worker-only settings (the shared ones, DATABASE_URL, ETCD_ENDPOINTS, ETCD_PREFIX, LOG_LEVEL, come
 * from lib/config/env.ts). Read and validated once at start; a bad value stops the process with a
 * message naming the variable.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const WorkerEnvSchema = z.object({
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'")
    .default(() => `${os.hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._:-]/g, "-").slice(0, 128)),
  WORKER_METRICS_PORT: int(0, 65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default("0.0.0.0"),
  LEASE_TTL_SECONDS: int(1, 300).default(5),
  /** 0 disables the reconciler. */
  RECONCILE_INTERVAL_MS: int(0, 24 * 3600_000).default(30_000),
  /** How often SDK presence is copied to MySQL for "last seen" (lib/last-seen). */
  LAST_SEEN_FLUSH_MS: int(1_000, 3600_000).default(30_000),
  OUTBOX_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
  RELAY_BATCH_SIZE: int(1, 5000).default(200),
  RELAY_POLL_INTERVAL_MS: int(10, 60_000).default(250),
  RELAY_MAX_ATTEMPTS: int(1, 1000).default(10),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(15_000),
  /** When set, this process also serves the SDK stream (workers/stream-server) on that port. */
  STREAM_PORT: int(0, 65535).optional(),
  STREAM_HOST: z.string().min(1).default("0.0.0.0"),
  /**
   * Also serve the admin API (/api/v1/*, bearer tokens only) on STREAM_PORT: the same handlers as
   * the app's, without Next.js's per-request cost, for automation that writes at high rates.
   */
  /** Open SDK streams this process holds at most (default: its open-file limit minus a reserve). */
  STREAM_MAX_STREAMS: int(1, 10_000_000).optional(),
  SIDECAR_ADMIN_API: z.enum(["on", "off"]).default("on"),
});

export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  const result = WorkerEnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid worker configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}
