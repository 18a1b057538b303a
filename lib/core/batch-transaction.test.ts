import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { batchDbFor } from "../db/client";
import { namespaces } from "../db/schema";
import { inBatchTransaction } from "./batch-transaction";
import { createNamespace } from "../namespaces/namespace-verbs";

// inBatchTransaction pipelines START TRANSACTION and sends COMMIT with the writes: these tests
// check that it is still one transaction in every outcome, against the real server.
let env: TestEnv;
const nameOf = async (key: string) => (await env.db.select({ name: namespaces.name }).from(namespaces).where(eq(namespaces.key, key)))[0]?.name;
const rename = (key: string, name: string) => ({ sql: "UPDATE namespaces SET name = ? WHERE `key` = ?", params: [name, key] });

beforeAll(async () => {
  env = await createTestEnv();
  await createNamespace({ ctx: env.ctx(), input: { key: "bt", name: "Before" } });
});
afterAll(() => env.cleanup());

describe("inBatchTransaction", () => {
  it("commits the writes sent with commitWith, and they are visible to others at once", async () => {
    const out = await inBatchTransaction(env.ctx(), batchDbFor(env.db)!, async (tx, _outbox, commitWith) => {
      const [row] = await tx.select().from(namespaces).where(eq(namespaces.key, "bt")).for("update");
      const res = await commitWith([rename("bt", "After")]);
      return { read: row!.name, affected: res[0]!.affectedRows };
    });
    expect(out).toEqual({ read: "Before", affected: 1 });
    expect(await nameOf("bt")).toBe("After");
  });

  it("rolls back every statement of the query when a later one fails", async () => {
    const err = await inBatchTransaction(env.ctx(), batchDbFor(env.db)!, async (_tx, _outbox, commitWith) => {
      await commitWith([rename("bt", "Half"), { sql: "INSERT INTO namespaces (id, `key`, name) SELECT id, `key`, name FROM namespaces WHERE `key` = ?", params: ["bt"] }]);
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("ER_DUP_ENTRY");
    expect(await nameOf("bt")).toBe("After");
  });

  it("rolls back when the callback throws after reading, and retries a deadlock from the start", async () => {
    await expect(
      inBatchTransaction(env.ctx(), batchDbFor(env.db)!, async (tx) => {
        await tx.select().from(namespaces).for("update");
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    let attempts = 0;
    await inBatchTransaction(env.ctx(), batchDbFor(env.db)!, async (_tx, _outbox, commitWith) => {
      attempts++;
      if (attempts === 1) throw Object.assign(new Error("Deadlock found"), { code: "ER_LOCK_DEADLOCK" });
      await commitWith([rename("bt", `Attempt ${attempts}`)]);
    });
    expect(attempts).toBe(2);
    expect(await nameOf("bt")).toBe("Attempt 2");
    // The pool's connections are all back and usable (nothing left mid-transaction).
    const names = await Promise.all(Array.from({ length: 10 }, () => batchDbFor(env.db)!.select().from(namespaces)));
    expect(names.every((n) => n.length === 1)).toBe(true);
  });
});
