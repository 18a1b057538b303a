import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import mysql from "mysql2/promise";
import { drizzle } from "drizzle-orm/mysql2";
import { batchDbFor, closeDb, createDb, type Db } from "../db/client";
import * as schema from "../db/schema";
import { auditEvents, flagValues, outboxEvents } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { metrics } from "../observability/metrics";
import { createEnvironment } from "../environments/environment-verbs";
import { createNamespace, deleteNamespace } from "../namespaces/namespace-verbs";
import { createFlag } from "../flags/create-flag";
import { getFlag } from "../flags/get-flag";
import { setFlagValue } from "./set-flag-value";

// Group commit (value-write-queue.ts): writes started in the same tick share one transaction, so
// these tests start them together and check that each still behaves like its own setFlagValue.
let env: TestEnv;

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, code: e instanceof ServiceError ? e.code : String(e) }),
  );

async function rows(table: typeof auditEvents | typeof outboxEvents) {
  const [r] = await env.db.select({ n: count() }).from(table);
  return r!.n;
}

async function batchStats() {
  const m = await metrics.valueWriteBatchSize.get();
  const pick = (name: string) => m.values.find((v) => v.metricName === name)?.value ?? 0;
  return { count: pick("mizuflow_value_write_batch_size_count"), sum: pick("mizuflow_value_write_batch_size_sum") };
}

beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx();
  await createEnvironment({ ctx, input: { key: "staging", name: "Staging" } });
  await createNamespace({ ctx, input: { key: "batch", name: "Batch" } });
  await createNamespace({ ctx, input: { key: "other", name: "Other" } });
  for (let i = 0; i < 8; i++) await createFlag({ ctx, input: { namespace: i % 2 ? "other" : "batch", key: `f${i}`, type: "number" } });
  await createFlag({ ctx, input: { namespace: "batch", key: "text", type: "string" } });
});
afterAll(() => env.cleanup());

describe("value write group commit", () => {
  it("gives each of many simultaneous writes its own version, audit row, outbox row and error", async () => {
    const ctx = env.ctx();
    const audit0 = await rows(auditEvents);
    const outbox0 = await rows(outboxEvents);
    const good = Array.from({ length: 80 }, (_, i) => ({ namespace: i % 2 ? "other" : "batch", key: `f${i % 8}`, environment: "staging", value: i }));
    const bad = [
      { namespace: "nope", key: "f0", environment: "staging", value: 1 }, // 404 namespace
      { namespace: "batch", key: "missing", environment: "staging", value: 1 }, // 404 flag
      { namespace: "batch", key: "f0", environment: "moon", value: 1 }, // 404 environment
      { namespace: "batch", key: "text", environment: "staging", value: 5 }, // 422 type
      { namespace: "batch", key: "f2", environment: "staging", value: 1, expectedVersion: 999 }, // 409
    ];
    const all = [...good.slice(0, 40), ...bad, ...good.slice(40)];
    const batches0 = await batchStats();
    const results = await Promise.all(all.map((input) => outcome(setFlagValue({ ctx, input }))));
    const batches1 = await batchStats();
    // They really shared transactions (fewer batches than writes), and every write was in one.
    expect(batches1.sum - batches0.sum).toBe(all.length);
    expect(batches1.count - batches0.count).toBeLessThan(all.length / 4);
    const failed = results.map((r, i) => (r.ok ? null : [all[i]!.key, r.code])).filter(Boolean);
    expect(failed).toEqual([
      ["f0", "not_found"],
      ["missing", "not_found"],
      ["f0", "not_found"],
      ["text", "validation_failed"],
      ["f2", "conflict"],
    ]);
    expect(await rows(auditEvents)).toBe(audit0 + good.length);
    expect(await rows(outboxEvents)).toBe(outbox0 + good.length);
    // Ten writes per flag, applied in arrival order: versions 2..11, the last value wins.
    for (let f = 0; f < 8; f++) {
      const ns = f % 2 ? "other" : "batch";
      const view = await getFlag({ ctx, input: { namespace: ns, key: `f${f}` } });
      expect(view.values.staging).toMatchObject({ version: 11, value: 72 + f });
      const versions = results
        .filter((r, i) => r.ok && all[i]!.key === `f${f}`)
        .map((r) => (r as { v: { values: Record<string, { version: number }> } }).v.values.staging!.version);
      expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const outbox = await env.db
        .select({ version: outboxEvents.version })
        .from(outboxEvents)
        .where(and(eq(outboxEvents.etcdKey, `flags/staging/${ns}/f${f}`)));
      expect(outbox.map((o) => o.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    const text = await getFlag({ ctx, input: { namespace: "batch", key: "text" } });
    expect(text.values.staging!.version).toBe(1);
  });

  it("checks expectedVersion against the writes before it in the same batch", async () => {
    const ctx = env.ctx();
    const start = (await getFlag({ ctx, input: { namespace: "batch", key: "f4" } })).values.staging!.version;
    const base = { namespace: "batch", key: "f4", environment: "staging" };
    const results = await Promise.all([
      outcome(setFlagValue({ ctx, input: { ...base, value: 1, expectedVersion: start } })),
      outcome(setFlagValue({ ctx, input: { ...base, value: 2, expectedVersion: start + 1 } })),
      outcome(setFlagValue({ ctx, input: { ...base, value: 3, expectedVersion: start } })),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ code: "conflict" });
    const [row] = await env.db.select().from(flagValues).where(eq(flagValues.version, start + 2));
    expect(row?.value).toBe(2);
  });

  it("fails every write of a batch whose transaction fails, and commits none of them", async () => {
    const broken = createDb(env.databaseUrl, 1);
    await closeDb(broken);
    const ctx = { ...env.ctx(), db: broken };
    const before = (await getFlag({ ctx: env.ctx(), input: { namespace: "batch", key: "f6" } })).values.staging!.version;
    const audit0 = await rows(auditEvents);
    const results = await Promise.all(
      [1, 2, 3].map((value) => outcome(setFlagValue({ ctx, input: { namespace: "batch", key: "f6", environment: "staging", value } }))),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    expect((await getFlag({ ctx: env.ctx(), input: { namespace: "batch", key: "f6" } })).values.staging!.version).toBe(before);
    expect(await rows(auditEvents)).toBe(audit0);
  });

  it("never answers from a stale namespace id: a namespace deleted and re-created under the same key works", async () => {
    const ctx = env.ctx();
    await createNamespace({ ctx, input: { key: "reborn", name: "Reborn" } });
    // Prime the id cache with a write that finds the namespace but no such flag.
    const first = await outcome(setFlagValue({ ctx, input: { namespace: "reborn", key: "x", environment: "staging", value: 1 } }));
    expect(first).toMatchObject({ ok: false, code: "not_found" });
    await deleteNamespace({ ctx, input: { key: "reborn" } });
    const gone = await setFlagValue({ ctx, input: { namespace: "reborn", key: "x", environment: "staging", value: 1 } }).catch((e: ServiceError) => e);
    expect(gone).toBeInstanceOf(ServiceError);
    expect((gone as ServiceError).message).toMatch(/Namespace 'reborn'/);
    await createNamespace({ ctx, input: { key: "reborn", name: "Reborn again" } });
    await createFlag({ ctx, input: { namespace: "reborn", key: "x", type: "number" } });
    const view = await setFlagValue({ ctx, input: { namespace: "reborn", key: "x", environment: "staging", value: 7 } });
    expect(view.values.staging).toMatchObject({ value: 7, version: 2 });
  });

  it("also works one statement at a time, on a database handle without a multi-statement sibling pool", async () => {
    const pool = mysql.createPool({ uri: env.databaseUrl, connectionLimit: 2, timezone: "Z", charset: "utf8mb4_unicode_ci" });
    const plain = drizzle(pool, { schema, mode: "default" }) as unknown as Db;
    try {
      expect(batchDbFor(plain)).toBeNull();
      const ctx = { ...env.ctx(), db: plain };
      const audit0 = await rows(auditEvents);
      const views = await Promise.all(
        [1, 2, 3].map((value) => setFlagValue({ ctx, input: { namespace: "other", key: "f3", environment: "staging", value } })),
      );
      const versions = views.map((v) => v.values.staging!.version);
      expect(versions[1]).toBe(versions[0]! + 1);
      expect(versions[2]).toBe(versions[0]! + 2);
      expect(await rows(auditEvents)).toBe(audit0 + 3);
    } finally {
      await pool.end();
    }
  });
});
