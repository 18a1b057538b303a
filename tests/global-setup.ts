import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBinaries, startEtcd, startMariaDb } from "../scripts/lib/local-services";

declare module "vitest" {
  export interface ProvidedContext {
    mysqlUrl: string;
    etcdEndpoints: string[];
  }
}

/**
 * Starts one hermetic MariaDB and one etcd for the whole run, unless DATABASE_URL and
 * ETCD_ENDPOINTS point at servers already. Each test file then takes its own database and its own
 * etcd prefix (tests/support/test-env.ts), so files run in parallel without seeing each other.
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  let mysqlUrl = process.env.DATABASE_URL;
  let etcdEndpoints = process.env.ETCD_ENDPOINTS?.split(",").map((s) => s.trim()).filter(Boolean);
  const base = await mkdtemp(path.join(os.tmpdir(), "mizuflow-test-"));
  // `npm test` runs the browser tests too, so it provisions Chromium here like MariaDB and etcd
  // (installed as root, else a stop with the exact command). A run of chosen files gets it from
  // launchBrowser() in the browser tests themselves, which fail (never skip) without it.
  const browsers = process.env.npm_lifecycle_event === "test";
  await ensureBinaries({ mariadb: !mysqlUrl, etcd: !etcdEndpoints?.length, chromium: browsers });
  if (!mysqlUrl) {
    const db = await startMariaDb({ baseDir: path.join(base, "mariadb"), database: "mizuflow_test" });
    stops.push(() => db.stop());
    mysqlUrl = db.url;
  }
  if (!etcdEndpoints?.length) {
    const etcd = await startEtcd({ baseDir: path.join(base, "etcd") });
    stops.push(() => etcd.stop());
    etcdEndpoints = etcd.endpoints;
  }
  project.provide("mysqlUrl", mysqlUrl);
  project.provide("etcdEndpoints", etcdEndpoints);
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(base, { recursive: true, force: true });
  };
}
