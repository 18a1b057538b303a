import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { inject } from "vitest";
import type { Actor, Grant } from "../../lib/auth/actor";
import { SYSTEM_ACTOR } from "../../lib/auth/actor";
import { closeDb, createDb, type Db } from "../../lib/db/client";
import { migrateDatabase } from "../../lib/db/migrate";
import { createEtcd, type EtcdHandle } from "../../lib/etcd/client";
import type { ServiceContext } from "../../lib/core/context";

export interface TestEnv {
  /** mysql:// URL of this test file's own database. */
  databaseUrl: string;
  db: Db;
  /** etcd client plus a namespace under this file's own prefix. */
  etcd: EtcdHandle;
  etcdEndpoints: string[];
  etcdPrefix: string;
  ctx(actor?: Actor, extra?: Partial<ServiceContext>): ServiceContext;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database and a fresh etcd prefix on the run's shared servers. */
export async function createTestEnv(opts: { mysqlUrl?: string; etcdEndpoints?: string[] } = {}): Promise<TestEnv> {
  const serverUrl = opts.mysqlUrl ?? inject("mysqlUrl");
  const etcdEndpoints = opts.etcdEndpoints ?? inject("etcdEndpoints");
  const id = randomBytes(5).toString("hex");
  const u = new URL(serverUrl);
  u.pathname = `/mf_${id}`;
  const databaseUrl = u.toString();
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl, 10);
  const etcdPrefix = `/t-${id}/mizuflow/v1/`;
  const etcd = createEtcd(etcdEndpoints, etcdPrefix);
  return {
    databaseUrl,
    db,
    etcd,
    etcdEndpoints,
    etcdPrefix,
    ctx: (actor = SYSTEM_ACTOR, extra = {}) => ({ db, actor, meta: { ip: "127.0.0.1", traceId: `test-${id}` }, ...extra }),
    async cleanup() {
      await closeDb(db).catch(() => {});
      await etcd.client.delete().prefix(`/t-${id}/`).exec().catch(() => {});
      etcd.client.close();
      const admin = new URL(serverUrl);
      admin.pathname = "/";
      const conn = await mysql.createConnection({ uri: admin.toString() });
      await conn.query(`DROP DATABASE IF EXISTS \`mf_${id}\``).finally(() => conn.end());
    },
  };
}

export function userActor(name: string, grants: Grant[], isSuperAdmin = false): Actor {
  return { type: "user", id: name, name, isSuperAdmin, grants };
}

/** Polls `fn` until it returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Makes getDb()/getEtcd() (lib/db/client.ts, lib/etcd/client.ts) return this test's database and
 * etcd prefix, so code that uses the process's own handles (route handlers, process delivery) runs
 * against them instead of reading DATABASE_URL / ETCD_ENDPOINTS.
 */
export function useAsProcessServices(env: TestEnv): void {
  const g = globalThis as unknown as { mizuflowDb?: Db; mizuflowEtcd?: EtcdHandle };
  g.mizuflowDb = env.db;
  g.mizuflowEtcd = env.etcd;
}
