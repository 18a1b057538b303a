import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import mysql from "mysql2/promise";
import { startMariaDb, type MariaDbHandle } from "../../scripts/lib/local-services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { SYSTEM_ACTOR } from "../auth/actor";
import { closeDb, createDb, type Db } from "../db/client";
import { auditEvents, flags, flagValues, idempotencyKeys } from "../db/schema";
import { IdempotencyKeyTaken } from "./key-taken";
import { pruneIdempotencyKeys } from "./keys";
import type { ApiRequest } from "../http/api-request";
import { idempotent } from "../http/idempotency";
import { toErrorResponse } from "../errors/http";
import type { ServiceContext } from "../core/context";
import { createEnvironment } from "../environments/environment-verbs";
import { createNamespace } from "../namespaces/namespace-verbs";
import { createFlag } from "../flags/create-flag";
import { setFlagValue } from "../values/set-flag-value";
import { setFlagValues } from "../values/set-flag-values";

// A write whose COMMIT gets no reply within the statement deadline is answered with what really
// happened. To hold a COMMIT on the server deterministically, another session holds
// LOCK TABLES audit_events WRITE: the batch's statements (marker, update, audit, outbox, COMMIT)
// reach the server and wait there, exactly like a reply that never comes back. Own MariaDB: one
// test freezes it (SIGSTOP) so that the outcome check cannot reach it either.
let base: string;
let server: MariaDbHandle;
let env: TestEnv;
let db: Db;
let ctx: ServiceContext;
let locker: mysql.Connection;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mf-commit-outcome-"));
  server = await startMariaDb({ baseDir: base, database: "mizuflow" });
  env = await createTestEnv({ mysqlUrl: server.url });
  const setup = env.ctx();
  await createEnvironment({ ctx: setup, input: { key: "production", name: "Production" } });
  await createNamespace({ ctx: setup, input: { key: "pay", name: "Pay" } });
  for (const key of ["a", "b", "c", "d"]) await createFlag({ ctx: setup, input: { namespace: "pay", key, type: "number" } });
  db = createDb(env.databaseUrl, 10, { connectTimeoutMs: 2_000, queryTimeoutMs: 1_000 });
  ctx = { db, actor: SYSTEM_ACTOR };
  locker = await mysql.createConnection({ uri: env.databaseUrl });
});
afterAll(async () => {
  await locker?.query("UNLOCK TABLES").catch(() => {});
  await locker?.end();
  await closeDb(db);
  await env.cleanup().catch(() => {});
  await server.stop();
  await rm(base, { recursive: true, force: true });
});

const versionOf = async (key: string) =>
  (await env.db.select({ v: flagValues.version }).from(flagValues).innerJoin(flags, eq(flags.id, flagValues.flagId)).where(eq(flags.key, key)))[0]!.v;
const auditsOf = async (key: string) => (await env.db.select().from(auditEvents).where(eq(auditEvents.flagKey, key))).length;

/** A PUT as the admin API's handler sees it (only what idempotent() reads). */
function putRequest(key: string): ApiRequest {
  return {
    method: "PUT",
    url: `http://mizuflow.test/api/v1/flags/pay/${key}/values/production`,
    headers: { get: (n) => (n.toLowerCase() === "idempotency-key" ? `retry-${key}` : null) },
    bodyBytes: async () => new Uint8Array(0),
  };
}

/** Waits until the write's statements are on the server, stuck behind the table lock. */
async function writeIsHeld(table = "audit_events"): Promise<number> {
  return waitFor(async () => {
    const [rows] = (await locker.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE ?", [`%INSERT INTO \`${table}\`%`])) as unknown as [{ id: number }[]];
    return rows[0]?.id;
  }, "the write held on the server");
}

const settle = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e, ...toErrorResponse(e) }),
  );

describe("writes whose COMMIT gets no reply in time", () => {
  it("are answered as saved when the COMMIT went through after the deadline", async () => {
    const before = await versionOf("a");
    // Held on a row lock this time (InnoDB waits do not end when the client goes away): another
    // transaction holds the write's Idempotency-Key row, then rolls back after the deadline.
    await locker.query("START TRANSACTION");
    await locker.query("INSERT INTO idempotency_keys (scope, idem_key) VALUES ('token:test', 'held-a')");
    const claim = { scope: "token:test", key: "held-a", fingerprint: "a".repeat(64), status: 200 };
    const write = settle(setFlagValue({ ctx, input: { namespace: "pay", key: "a", environment: "production", value: 5 }, claim }));
    await writeIsHeld("idempotency_keys");
    await new Promise((r) => setTimeout(r, 1_500)); // past the 1 s statement deadline
    await locker.query("ROLLBACK");
    const out = await write;
    expect(out.ok, out.ok ? "" : String(out.e)).toBe(true);
    expect(await versionOf("a")).toBe(before + 1);
  });

  it("are answered as not saved (503) when the transaction was rolled back", async () => {
    const before = await versionOf("b");
    await locker.query("LOCK TABLES audit_events WRITE");
    const write = settle(setFlagValue({ ctx, input: { namespace: "pay", key: "b", environment: "production", value: 6 } }));
    try {
      const held = await writeIsHeld();
      await new Promise((r) => setTimeout(r, 1_200));
      // The deadline closed the write's connection; MariaDB may notice that on its own and end the
      // waiting thread before this KILL arrives (errno 1094): rolled back all the same.
      await locker.query(`KILL ${held}`).catch((err: { errno?: number }) => {
        if (err.errno !== 1094) throw err;
      });
    } finally {
      await locker.query("UNLOCK TABLES");
    }
    const out = await write;
    expect(out.ok).toBe(false);
    expect(out.ok ? null : out.body.error.code).toBe("unavailable");
    expect(await versionOf("b")).toBe(before);
  });

  it("are answered commit_outcome_unknown (504, with the key) when the check cannot reach the database, and a retry with the key resolves it", async () => {
    const before = { v: await versionOf("c"), audits: await auditsOf("c") };
    const body = { value: 7 };
    const put = () => idempotent({ req: putRequest("c"), ctx, body, status: 200 }, (claim) => setFlagValue({ ctx, input: { namespace: "pay", key: "c", environment: "production", ...body }, claim }));
    await locker.query("LOCK TABLES audit_events WRITE");
    let out: Awaited<ReturnType<typeof settle>>;
    try {
      const write = settle(put());
      await writeIsHeld();
      // Past the statement deadline, freeze the server for longer than the outcome check's bound.
      await new Promise((r) => setTimeout(r, 800));
      process.kill(server.pid!, "SIGSTOP");
      try {
        out = await write;
      } finally {
        process.kill(server.pid!, "SIGCONT");
      }
    } finally {
      // A failure above must not leave the lock to the next test.
      await locker.query("UNLOCK TABLES").catch(() => {});
    }
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.status).toBe(504);
    expect(out.body.error).toMatchObject({ code: "commit_outcome_unknown", details: { idempotencyKey: "retry-c" } });
    expect(out.body.error.message).toMatch(/may or may not have been saved/);
    // The retry learns the outcome (replay) or writes now; either way the value was written once.
    const retry = await waitFor(() => settle(put()).then((r) => (r.ok ? r : null)), "a retry to be answered", 15_000, 250);
    const view = retry.v instanceof Response ? await retry.v.json() : retry.v;
    expect(view.values.production).toMatchObject({ value: 7, version: before.v + 1 });
    expect(await versionOf("c")).toBe(before.v + 1);
    expect(await auditsOf("c")).toBe(before.audits + 1);
  }, 40_000);

  it("applies to the bulk value-changes too", async () => {
    const before = await versionOf("d");
    await locker.query("START TRANSACTION");
    await locker.query("INSERT INTO idempotency_keys (scope, idem_key) VALUES ('token:test', 'held-d')");
    const claim = { scope: "token:test", key: "held-d", fingerprint: "d".repeat(64), status: 200 };
    const write = settle(setFlagValues({ ctx, input: { changes: [{ namespace: "pay", key: "d", environment: "production", value: 8 }] }, claim }));
    await writeIsHeld("idempotency_keys");
    await new Promise((r) => setTimeout(r, 1_500));
    await locker.query("ROLLBACK");
    const out = await write;
    expect(out.ok, out.ok ? "" : String(out.e)).toBe(true);
    expect(await versionOf("d")).toBe(before + 1);
  });
});

describe("a client key taken by another process between lookup and write", () => {
  it("sends that write back to its caller (IdempotencyKeyTaken, nothing written) and commits the rest of the batch", async () => {
    const before = { a: await versionOf("a"), b: await versionOf("b") };
    // Another process is committing the same key (its row not yet committed).
    await locker.query("START TRANSACTION");
    await locker.query("INSERT INTO idempotency_keys (scope, idem_key, fingerprint, status, response) VALUES ('token:test', 'raced', ?, 200, '{}')", ["r".repeat(64)]);
    const claim = { scope: "token:test", key: "raced", fingerprint: "r".repeat(64), status: 200 };
    // Started in the same tick: one batch.
    const keyed = settle(setFlagValue({ ctx, input: { namespace: "pay", key: "a", environment: "production", value: 50 }, claim }));
    const plain = settle(setFlagValue({ ctx, input: { namespace: "pay", key: "b", environment: "production", value: 51 } }));
    await writeIsHeld("idempotency_keys");
    await locker.query("COMMIT");
    const [k, p] = await Promise.all([keyed, plain]);
    expect(k.ok).toBe(false);
    expect(k.ok ? null : k.e).toBeInstanceOf(IdempotencyKeyTaken);
    expect(p.ok).toBe(true);
    expect([await versionOf("a"), await versionOf("b")]).toEqual([before.a, before.b + 1]);
  });
});

describe("idempotency key retention", () => {
  it("prunes keys and markers older than 24 hours, and keeps younger ones", async () => {
    await env.db.execute(sql`INSERT INTO idempotency_keys (scope, idem_key, created_at) VALUES ('token:old', 'k', NOW(3) - INTERVAL 25 HOUR), ('token:young', 'k', NOW(3) - INTERVAL 23 HOUR)`);
    await pruneIdempotencyKeys(env.db, { batchSize: 100, maxBatches: 5 });
    const left = await env.db.select({ scope: idempotencyKeys.scope }).from(idempotencyKeys).where(eq(idempotencyKeys.idemKey, "k"));
    expect(left.map((r) => r.scope)).toEqual(["token:young"]);
  });
});
