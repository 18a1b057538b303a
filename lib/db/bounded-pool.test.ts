import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createDb, type Db } from "./client";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";

/** Blocks this whole process (event loop included) for `ms`, like a GC pause or SIGSTOP would. */
function pauseProcess(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let env: TestEnv;
let db: Db;
beforeAll(async () => {
  env = await createTestEnv();
  db = createDb(env.databaseUrl, 2, { connectTimeoutMs: 2_000, queryTimeoutMs: 300 });
});
afterAll(async () => {
  await closeDb(db);
  await env.cleanup();
});

describe("statement deadline (bounded-pool)", () => {
  // The defect behind "503 nothing was changed" for committed writes: after a pause the expired
  // timer ran before the socket read that carried the reply.
  it("does not fire for a reply that arrived while the process was paused past the deadline", async () => {
    const conn = await db.$client.getConnection();
    try {
      for (let i = 0; i < 3; i++) {
        const reply = conn.query("SELECT 41 + 1 AS answer");
        pauseProcess(900); // three deadlines long; the server answers within milliseconds
        const [rows] = (await reply) as unknown as [{ answer: number }[]];
        expect(rows[0]!.answer).toBe(42);
      }
    } finally {
      conn.release();
    }
  });

  it("still fires for a statement the server really does not answer in time", async () => {
    const conn = await db.$client.getConnection();
    const started = performance.now();
    await expect(conn.query("SELECT SLEEP(3)")).rejects.toMatchObject({ code: "PROTOCOL_SEQUENCE_TIMEOUT" });
    expect(performance.now() - started).toBeLessThan(2_500);
    conn.release();
    // The pool replaced the destroyed connection.
    const [rows] = (await db.$client.query("SELECT 1 AS one")) as unknown as [{ one: number }[]];
    expect(rows[0]!.one).toBe(1);
  });

  it("after a pause, still fires when the reply does not come within the grace", async () => {
    const conn = await db.$client.getConnection();
    const slow = conn.query("SELECT SLEEP(3)");
    pauseProcess(900);
    await expect(slow).rejects.toMatchObject({ code: "PROTOCOL_SEQUENCE_TIMEOUT" });
    conn.release();
  });
});
