import { eq } from "drizzle-orm";
import { systemActor } from "../../lib/auth/actor";
import type { Db } from "../../lib/db/client";
import { flags, namespaces } from "../../lib/db/schema";
import { migrateDatabase } from "../../lib/db/migrate";
import { seedDemo } from "../../lib/seed/seed-demo";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import type { ServiceContext } from "../../lib/core/context";
import { listEnvironments } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";
import type { LoadTarget } from "./write-load-client";

export const BENCH_NAMESPACE = "bench";

export interface BenchData {
  token: string;
  targets: LoadTarget[];
  environments: string[];
}

/**
 * Migrates, seeds the demo data, and makes sure the bench namespace holds `count` flags
 * (alternating boolean and number), all through the service verbs like any other change. A fresh
 * super-admin API token is minted on every run, so re-running against a kept database works.
 */
export async function prepareBenchData(db: Db, databaseUrl: string, count: number): Promise<BenchData> {
  await migrateDatabase(databaseUrl);
  const seeded = await seedDemo({ db, adminEmail: "bench-admin@example.com" });
  const ctx: ServiceContext = { db, actor: systemActor("write-bench"), meta: { traceId: "write-bench" } };
  const token =
    seeded.apiToken ??
    (await createApiToken({
      ctx,
      input: { name: `write-bench ${new Date().toISOString()}`, role: "admin", namespaces: null, superAdmin: true, reason: "write bench" },
    })).token;

  const [ns] = await db.select({ id: namespaces.id }).from(namespaces).where(eq(namespaces.key, BENCH_NAMESPACE));
  if (!ns) await createNamespace({ ctx, input: { key: BENCH_NAMESPACE, name: "Write benchmark", reason: "write bench" } });
  const existing = new Set(
    (await db
      .select({ key: flags.key })
      .from(flags)
      .innerJoin(namespaces, eq(namespaces.id, flags.namespaceId))
      .where(eq(namespaces.key, BENCH_NAMESPACE))).map((r) => r.key),
  );
  const environments = (await listEnvironments({ ctx })).map((e) => e.key);
  const specs = Array.from({ length: count }, (_, i) => ({
    key: `flag-${String(i).padStart(4, "0")}`,
    type: (i % 2 ? "number" : "boolean") as LoadTarget["type"],
  }));
  const missing = specs.filter((s) => !existing.has(s.key));
  // One at a time: concurrent creates in one namespace contend on the same gap locks.
  for (const s of missing) {
    await createFlag({
      ctx,
      input: { namespace: BENCH_NAMESPACE, key: s.key, type: s.type, description: "write benchmark", reason: "write bench" },
    });
  }
  const targets = specs.flatMap((s) => environments.map((environment) => ({ namespace: BENCH_NAMESPACE, key: s.key, environment, type: s.type })));
  return { token, targets, environments };
}
