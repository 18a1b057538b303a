import { afterAll, beforeAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { environments, namespaces } from "../../lib/db/schema";
import type { PublishItem } from "../../lib/etcd/fence";
import { flagKey } from "../../lib/etcd/keys";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { forEachLimit } from "../support/timing";
import { pageDesired } from "./mysql-desired";
import { reconcileOnce } from "./reconcile-once";

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

const FLAGS = 10_000;
const ENVS = ["production", "staging", "development"];

it("checks 10,000 flags x 3 environments in a few seconds, with paged reads and no per-key etcd reads", async () => {
  const t0 = performance.now();
  const at = new Date();
  await env.db.insert(namespaces).values({ key: "bulk", name: "bulk", createdAt: at, updatedAt: at });
  await env.db.insert(environments).values(ENVS.map((key) => ({ key, name: key, createdAt: at, updatedAt: at })));
  // Generated server-side (portable SQL: a digits cross join, no MariaDB sequences, no recursive CTE limits).
  const digits = sql.raw("(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)");
  await env.db.execute(sql`
    INSERT INTO flags (namespace_id, \`key\`, type, tags, default_value, created_at, updated_at)
    SELECT 1, CONCAT('flag-', LPAD(a.d * 1000 + b.d * 100 + c.d * 10 + d.d, 5, '0')), 'number', '[]', '0', ${at}, ${at}
    FROM ${digits} a CROSS JOIN ${digits} b CROSS JOIN ${digits} c CROSS JOIN ${digits} d`);
  await env.db.execute(sql`
    INSERT INTO flag_values (flag_id, environment_id, value, version, committed_at, updated_at)
    SELECT f.id, e.id, CAST(f.id * e.id AS CHAR), 1 + (f.id % 3), ${at}, ${at} FROM flags f CROSS JOIN environments e`);
  // Publish everything (128 puts per etcd transaction, the server's limit).
  const items: PublishItem[] = [];
  for await (const page of pageDesired(env.db)) items.push(...page.map((d) => d.item));
  const batches = Array.from({ length: Math.ceil(items.length / 128) }, (_, i) => items.slice(i * 128, i * 128 + 128));
  await forEachLimit(batches, 8, async (batch) => {
    await env.etcd.root.if("probe", "Create", "==", 0).then(...batch.map((it) => env.etcd.root.put(flagKey(it.address)).value(JSON.stringify(it.op === "put" ? it.document : it.tombstone)))).commit();
  });
  console.log(`[reconcile-scale] seeded ${items.length} keys in ${Math.round(performance.now() - t0)} ms`);

  const clean = await reconcileOnce({ db: env.db, root: env.etcd.root });
  console.log(`[reconcile-scale] clean pass over ${clean.checked} keys: ${clean.durationMs} ms`);
  expect(clean).toMatchObject({ checked: FLAGS * ENVS.length, etcdAhead: 0, repairs: { missing: 0, stale: 0, drift: 0, orphan: 0, tombstone: 0 } });
  expect(clean.durationMs).toBeLessThan(15_000);

  // 100 keys lost: only those are re-read and repaired individually.
  await forEachLimit(Array.from({ length: 100 }, (_, i) => i * 300), 16, async (i) => {
    await env.etcd.root.delete().key(flagKey(items[i]!.address));
  });
  const repaired = await reconcileOnce({ db: env.db, root: env.etcd.root });
  console.log(`[reconcile-scale] pass repairing 100 keys: ${repaired.durationMs} ms`);
  expect(repaired.repairs.missing).toBe(100);
});
