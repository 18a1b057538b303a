import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { expectServiceError } from "../../tests/support/service-error";
import { seedScopes } from "../../tests/support/stream-server/fixtures";
import { auditEvents, flagValues, flags, outboxEvents } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createEnvironment } from "../environments/environment-verbs";
import { archiveFlag } from "./archive-flag";
import { createFlag } from "./create-flag";
import { deleteFlag } from "./delete-flag";
import { getFlag } from "./get-flag";
import { listFlags } from "./list-flags";
import { setFlagValue } from "../values/set-flag-value";

let env: TestEnv;

async function counts() {
  const [f] = await env.db.select({ n: count() }).from(flags);
  const [v] = await env.db.select({ n: count() }).from(flagValues);
  const [a] = await env.db.select({ n: count() }).from(auditEvents);
  const [o] = await env.db.select({ n: count() }).from(outboxEvents);
  return { flags: f!.n, values: v!.n, audit: a!.n, outbox: o!.n };
}

beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx();
  await seedScopes(env.db, { environments: ["staging", "production"], namespaces: ["checkout"] });
  await createFlag({ ctx, input: { namespace: "checkout", key: "new-flow", type: "boolean", values: { production: true } } });
});
afterAll(() => env.cleanup());

describe("flag write path", () => {
  it("creates a value row per environment and one outbox row each, with an audit row, in one transaction", async () => {
    const view = await getFlag({ ctx: env.ctx(), input: { namespace: "checkout", key: "new-flow" } });
    expect(view.values).toMatchObject({ staging: { value: false, version: 1 }, production: { value: true, version: 1 } });
    const outbox = await env.db.select().from(outboxEvents).where(eq(outboxEvents.etcdKey, "flags/production/checkout/new-flow"));
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ op: "put", version: 1, status: "pending" });
    expect(outbox[0]!.payload).toMatchObject({ namespace: "checkout", key: "new-flow", type: "boolean", value: true, version: 1 });
    const audit = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "flag.create"));
    expect(audit).toHaveLength(1);
  });

  it("rejects bad input with the field and reason and writes nothing", async () => {
    const before = await counts();
    const ctx = env.ctx();
    const bad: unknown[] = [
      { namespace: "checkout", key: "Bad/Key", type: "boolean" },
      { namespace: "checkout", key: "x", type: "color" },
      { namespace: "checkout", key: "ok-key", type: "number", values: { production: "12" } },
      { namespace: "checkout", key: "ok-key", type: "json", values: { production: { big: "x".repeat(40_000) } } },
      { namespace: "checkout", key: "ok-key", type: "boolean", values: { nowhere: true } },
      { namespace: "checkout", key: "ok-key", type: "boolean", extra: 1 },
    ];
    for (const input of bad) {
      const err = await expectServiceError(createFlag({ ctx, input }), "validation_failed");
      expect(err.issues?.length).toBeGreaterThan(0);
      expect(err.issues![0]!.path).not.toBe("");
    }
    await expectServiceError(
      setFlagValue({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "production", value: "yes" } }),
      "validation_failed",
    );
    await expectServiceError(createFlag({ ctx, input: { namespace: "nope", key: "k", type: "boolean" } }), "not_found");
    await expectServiceError(createFlag({ ctx, input: { namespace: "checkout", key: "new-flow", type: "boolean" } }), "conflict");
    expect(await counts()).toEqual(before);
  });

  it("a stale expectedVersion gets a conflict and changes nothing", async () => {
    const ctx = env.ctx();
    const cur = await getFlag({ ctx, input: { namespace: "checkout", key: "new-flow" } });
    const v = cur.values.staging!.version;
    await setFlagValue({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "staging", value: true, expectedVersion: v } });
    const before = await counts();
    const err = await expectServiceError(
      setFlagValue({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "staging", value: false, expectedVersion: v } }),
      "conflict",
    );
    expect(err.details).toMatchObject({ currentVersion: v + 1 });
    expect(await counts()).toEqual(before);
  });

  it("concurrent writers never produce two changes with the same version; losers of expectedVersion get 409", async () => {
    const ctx = env.ctx();
    const start = (await getFlag({ ctx, input: { namespace: "checkout", key: "new-flow" } })).values.production!.version;
    const free = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        setFlagValue({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "production", value: i % 2 === 0 } }),
      ),
    );
    const versions = free.map((f) => f.values.production!.version).sort((a, b) => a - b);
    expect(new Set(versions).size).toBe(20);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));

    const expected = start + 20;
    const raced = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        setFlagValue({ ctx, input: { namespace: "checkout", key: "new-flow", environment: "production", value: true, expectedVersion: expected } }),
      ),
    );
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = raced.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(9);
    for (const r of rejected) expect((r.reason as ServiceError).code).toBe("conflict");
    const outbox = await env.db.select({ version: outboxEvents.version }).from(outboxEvents).where(eq(outboxEvents.etcdKey, "flags/production/checkout/new-flow"));
    const outboxVersions = outbox.map((o) => o.version);
    expect(new Set(outboxVersions).size).toBe(outboxVersions.length);
  });

  it("permission checks run before anything is written", async () => {
    const before = await counts();
    const viewer = userActor("vera", [{ namespaceKey: "checkout", role: "viewer", environmentKeys: null }]);
    const stagingEditor = userActor("ed", [{ namespaceKey: "checkout", role: "editor", environmentKeys: ["staging"] }]);
    const otherNs = userActor("olga", [{ namespaceKey: "search", role: "admin", environmentKeys: null }]);
    const input = { namespace: "checkout", key: "new-flow", environment: "production", value: false };
    await expectServiceError(setFlagValue({ ctx: env.ctx(viewer), input }), "forbidden");
    await expectServiceError(setFlagValue({ ctx: env.ctx(stagingEditor), input }), "forbidden");
    await expectServiceError(setFlagValue({ ctx: env.ctx(otherNs), input }), "forbidden");
    await expectServiceError(deleteFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "new-flow" } }), "forbidden");
    await expectServiceError(createFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "dev-only", type: "boolean" } }), "forbidden");
    await expectServiceError(archiveFlag({ ctx: env.ctx(stagingEditor), input: { namespace: "checkout", key: "new-flow", archived: true } }), "forbidden");
    expect(await counts()).toEqual(before);
    const ok = await setFlagValue({ ctx: env.ctx(stagingEditor), input: { ...input, environment: "staging" } });
    expect(ok.values.staging!.value).toBe(false);
    expect((await listFlags({ ctx: env.ctx(otherNs), input: {} })).flags).toHaveLength(0);
    expect((await listFlags({ ctx: env.ctx(viewer), input: {} })).flags.map((f) => f.key)).toEqual(["new-flow"]);
  });

  it("archive, delete and re-create keep each environment's version increasing", async () => {
    const ctx = env.ctx();
    await createFlag({ ctx, input: { namespace: "checkout", key: "banner", type: "string", defaultValue: "hi" } });
    const archived = await archiveFlag({ ctx, input: { namespace: "checkout", key: "banner", archived: true } });
    expect(archived.values.production!.version).toBe(2);
    const tomb = await env.db.select().from(outboxEvents).where(eq(outboxEvents.etcdKey, "flags/production/checkout/banner"));
    expect(tomb.map((t) => [t.op, t.version])).toEqual([
      ["put", 1],
      ["delete", 2],
    ]);
    await archiveFlag({ ctx, input: { namespace: "checkout", key: "banner", archived: false } });
    await deleteFlag({ ctx, input: { namespace: "checkout", key: "banner" } });
    await expectServiceError(getFlag({ ctx, input: { namespace: "checkout", key: "banner" } }), "not_found");
    const again = await createFlag({ ctx, input: { namespace: "checkout", key: "banner", type: "number", values: { production: 3 } } });
    expect(again.type).toBe("number");
    expect(again.values.production).toMatchObject({ value: 3, version: 5 });
    expect(again.values.staging).toMatchObject({ value: 0, version: 5 });
  });

  it("concurrent creates in one namespace all succeed (no deadlock) and duplicates get 409", async () => {
    const ctx = env.ctx();
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createFlag({ ctx, input: { namespace: "checkout", key: `burst-${i}`, type: "boolean" } })),
    );
    expect(made).toHaveLength(12);
    const dup = await Promise.allSettled(
      Array.from({ length: 6 }, () => createFlag({ ctx, input: { namespace: "checkout", key: "burst-dup", type: "boolean" } })),
    );
    expect(dup.filter((d) => d.status === "fulfilled")).toHaveLength(1);
    for (const d of dup.filter((d): d is PromiseRejectedResult => d.status === "rejected")) {
      expect((d.reason as ServiceError).code).toBe("conflict");
    }
  });

  it("stores emoji and unicode intact", async () => {
    const ctx = env.ctx();
    await createFlag({ ctx, input: { namespace: "checkout", key: "greeting", type: "string", description: "Grüße 👋", values: { production: "こんにちは 🚀" } } });
    const got = await getFlag({ ctx, input: { namespace: "checkout", key: "greeting" } });
    expect(got.values.production!.value).toBe("こんにちは 🚀");
    expect(got.description).toBe("Grüße 👋");
  });

  it("a new environment gets every live flag's default value, published through the outbox", async () => {
    const ctx = env.ctx();
    await createEnvironment({ ctx, input: { key: "qa", name: "QA" } });
    const got = await getFlag({ ctx, input: { namespace: "checkout", key: "greeting" } });
    expect(got.values.qa).toMatchObject({ value: "", version: 1 });
    const rows = await env.db.select().from(outboxEvents).where(eq(outboxEvents.etcdKey, "flags/qa/checkout/greeting"));
    expect(rows).toHaveLength(1);
  });
});
