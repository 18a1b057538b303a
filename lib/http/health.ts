import { sql } from "drizzle-orm";
import { componentLogger } from "../observability/logger";
import { getDb } from "../db/client";
import { getEtcd } from "../etcd/client";

export interface HealthCheck {
  ok: boolean;
  latencyMs: number;
}

const TIMEOUT_MS = 2_000;

async function probe(name: string, fn: () => Promise<unknown>): Promise<HealthCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // Reasons go to the log, not to the (unauthenticated) caller.
    componentLogger("http").warn({ err }, `health check failed: ${name}`);
    return { ok: false, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Can this process reach MySQL and etcd right now? Each probe is bounded by TIMEOUT_MS. */
export async function checkHealth(): Promise<{ status: "ok" | "unavailable"; checks: { database: HealthCheck; etcd: HealthCheck } }> {
  const [database, etcd] = await Promise.all([
    probe("database", () => getDb().execute(sql`SELECT 1`)),
    // A range read under our prefix: proves the cluster answers reads with a quorum.
    probe("etcd", () => getEtcd().root.get("health").exec()),
  ]);
  return { status: database.ok && etcd.ok ? "ok" : "unavailable", checks: { database, etcd } };
}
