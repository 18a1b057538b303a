import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { expectServiceError } from "../../tests/support/service-error";
import { seedScopes } from "../../tests/support/stream-server/fixtures";
import { auditEvents, flagValues, outboxEvents } from "../db/schema";
import { createFlag } from "../flags/create-flag";
import { setFlagValues } from "./set-flag-values";

let env: TestEnv;

async function snapshot() {
  const n = async (t: typeof auditEvents | typeof outboxEvents) => (await env.db.select({ n: count() }).from(t))[0]!.n;
  const values = await env.db.select({ id: flagValues.id, version: flagValues.version, value: flagValues.value }).from(flagValues).orderBy(flagValues.id);
  return { audit: await n(auditEvents), outbox: await n(outboxEvents), values };
}

const refused = (input: unknown, actor = env.ctx().actor) => expectServiceError(setFlagValues({ ctx: env.ctx(actor), input }));

beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx();
  await seedScopes(env.db, { environments: ["staging", "production"], namespaces: ["shop"] });
  await createFlag({ ctx, input: { namespace: "shop", key: "banner", type: "string" } });
  await createFlag({ ctx, input: { namespace: "shop", key: "limit", type: "number" } });
});
afterAll(() => env.cleanup());

describe("setFlagValues: many changes, all or nothing", () => {
  it("applies every change in order with its own version, audit row and outbox row", async () => {
    const before = await snapshot();
    const out = await setFlagValues({
      ctx: env.ctx(),
      input: {
        reason: "release 42",
        changes: [
          { namespace: "shop", key: "banner", environment: "staging", value: "hello" },
          { namespace: "shop", key: "limit", environment: "production", value: 10 },
          { namespace: "shop", key: "banner", environment: "staging", value: "hello again", expectedVersion: 2 },
        ],
      },
    });
    expect(out.changes.map((c) => [c.key, c.environment, c.value, c.version])).toEqual([
      ["banner", "staging", "hello", 2],
      ["limit", "production", 10, 2],
      ["banner", "staging", "hello again", 3],
    ]);
    const after = await snapshot();
    expect(after.audit - before.audit).toBe(3);
    expect(after.outbox - before.outbox).toBe(3);
  });

  it("writes nothing when one change is refused, and says which (422, 409, 404)", async () => {
    const before = await snapshot();
    const ok = { namespace: "shop", key: "banner", environment: "staging", value: "fine" };
    const badType = await refused({ changes: [ok, ok, { namespace: "shop", key: "limit", environment: "staging", value: "ten" }] });
    expect(badType.code).toBe("validation_failed");
    expect(badType.issues?.[0]?.path).toBe("changes.2.value");
    expect(badType.details).toMatchObject({ index: 2 });
    expect(badType.message).toMatch(/^changes\[2\] \(shop\/limit in staging\)/);
    const stale = await refused({ changes: [ok, { ...ok, expectedVersion: 1 }] });
    expect(stale.code).toBe("conflict");
    expect(stale.details).toMatchObject({ index: 1 });
    const missing = await refused({ changes: [{ ...ok, key: "nope" }] });
    expect(missing.code).toBe("not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses the whole request if the caller may not make one of the changes", async () => {
    const before = await snapshot();
    const stagingEditor = userActor("staging-editor", [{ namespaceKey: "shop", role: "editor", environmentKeys: ["staging"] }]);
    const err = await refused(
      {
        changes: [
          { namespace: "shop", key: "banner", environment: "staging", value: "x" },
          { namespace: "shop", key: "banner", environment: "production", value: "x" },
        ],
      },
      stagingEditor,
    );
    expect(err.code).toBe("forbidden");
    expect(err.message).toMatch(/^changes\[1\]/);
    expect(await snapshot()).toEqual(before);
  });

  it("validates the request itself: at least one change, at most 500, no unknown fields", async () => {
    const one = { namespace: "shop", key: "banner", environment: "staging", value: "x" };
    expect((await refused({ changes: [] })).code).toBe("validation_failed");
    expect((await refused({ changes: Array(501).fill(one) })).code).toBe("validation_failed");
    const extra = await refused({ changes: [{ ...one, colour: "red" }] });
    expect(extra.code).toBe("validation_failed");
  });
});
