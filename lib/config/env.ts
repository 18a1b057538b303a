import { z } from "zod";
import { LogLevelSchema } from "./log-level";
import { TrustedProxiesSchema } from "./trusted-proxies";

/**
 * Process configuration, read and validated once. A production start without AUTH_SECRET refuses
 * to run: sessions and CSRF tokens are signed with it, and a guessable default would be a backdoor.
 */
const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z.string().url().refine((u) => u.startsWith("mysql://"), "must be a mysql:// URL"),
    ETCD_ENDPOINTS: z
      .string()
      .min(1)
      .transform((s) => s.split(",").map((e) => e.trim()).filter(Boolean)),
    ETCD_PREFIX: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*\/$/, "must start and end with '/'")
      .default("/mizuflow/v1/"),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    /** Fail fast on an unreachable or frozen database (see db/client.ts): connect, and each statement. */
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
    DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(4_000),
    LOG_LEVEL: LogLevelSchema,
    /** The write path publishes each commit to etcd itself (fenced) before the relay sees the row. */
    IMMEDIATE_PUBLISH: z.enum(["on", "off"]).default("on"),
    /** /api/metrics without credentials (for a scraper on a private network); off = super-admin only. */
    METRICS_PUBLIC: z.enum(["on", "off"]).default("off"),
    /** The console's live stream re-checks its credential this often, and ends after the maximum (the browser reconnects and signs in again). */
    CONSOLE_STREAM_RECHECK_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
    CONSOLE_STREAM_MAX_SECONDS: z.coerce.number().int().min(2).max(86_400).default(900),
    /** Proxies whose X-Forwarded-For names the SDK client's address (lib/delivery/stream/client-address.ts). */
    TRUSTED_PROXIES: TrustedProxiesSchema,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.AUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_SECRET"],
        message: "AUTH_SECRET is required in production (generate one with: openssl rand -base64 32)",
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
