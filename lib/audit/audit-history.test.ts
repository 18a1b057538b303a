import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConsoleFixture, snapshotDb, type ConsoleFixture } from "../../tests/support/console-fixtures";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { auditEvents, outboxEvents } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { createFlag } from "../flags/create-flag";
import { getFlag } from "../flags/get-flag";
import { setFlagValue } from "../values/set-flag-value";
import { auditWhere, beforeId, nextCursorOf, selectAuditPage } from "./audit-query";
import { exportAuditEvents } from "./export-audit";
import { getFlagHistory, listAuditEvents } from "./list-audit";
import { rollbackFlagValue } from "../values/rollback-flag-value";
import { listFlagValueVersions } from "../values/value-versions";

let env: TestEnv;
let fx: ConsoleFixture;

beforeAll(async () => {
  env = await createTestEnv();
  fx = await seedConsoleFixture(env);
  const sys = env.ctx();
  await createFlag({ ctx: sys, input: { namespace: "alpha", key: "limit", type: "number", defaultValue: 10 } });
  for (const value of [20, 30]) await setFlagValue({ ctx: sys, input: { namespace: "alpha", key: "limit", environment: "production", value, reason: `to ${value}` } });
  await setFlagValue({ ctx: sys, input: { namespace: "beta", key: "secret-toggle", environment: "dev", value: true } });
  await createFlag({ ctx: sys, input: { namespace: "alpha", key: "note", type: "string", reason: '=HYPERLINK("http://evil")' } });
}, 60_000);

afterAll(async () => {
  await env?.cleanup();
});

const code = async (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof ServiceError ? e.code : String(e)));

describe("reading the audit history", () => {
  it("reviewers read only their namespaces' events; system-wide events stay hidden from them", async () => {
    const ctx = env.ctx(await fx.actor("reviewer"));
    const { events } = await listAuditEvents({ ctx, input: { limit: 500 } });
    expect(events.length).toBeGreaterThan(3);
    expect(new Set(events.map((e) => e.namespace))).toEqual(new Set(["alpha"]));
    await expect(code(listAuditEvents({ ctx, input: { namespace: "beta" } }))).resolves.toBe("forbidden");
  });

  it("viewers and people without a role cannot read it at all", async () => {
    for (const role of ["viewer", "outsider", "nobody"] as const) {
      await expect(code(listAuditEvents({ ctx: env.ctx(await fx.actor(role)), input: {} }))).resolves.toBe("forbidden");
    }
  });

  it("administrators read everything, including environments and users", async () => {
    const { events } = await listAuditEvents({ ctx: env.ctx(await fx.actor("super")), input: { limit: 500 } });
    const actions = new Set(events.map((e) => e.action));
    for (const a of ["environment.create", "namespace.create", "role.grant", "flag_value.set"]) expect(actions).toContain(a);
  });

  it("filters by namespace, environment, flag, actor, action and time, newest first", async () => {
    const ctx = env.ctx(await fx.actor("super"));
    const { events } = await listAuditEvents({ ctx, input: { namespace: "alpha", environment: "production", flag: "limit", action: "flag_value.set", actor: "system" } });
    expect(events.map((e) => (e.after as { value: number }).value)).toEqual([30, 20]);
    expect(events[0]).toMatchObject({ actorName: "system", ip: "127.0.0.1", reason: "to 30" });
    expect((await listAuditEvents({ ctx, input: { action: "flag." } })).events.every((e) => e.action.startsWith("flag."))).toBe(true);
    expect((await listAuditEvents({ ctx, input: { to: "2000-01-01" } })).events).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listAuditEvents({ ctx, input: { from: today, to: today, limit: 1 } })).events).toHaveLength(1);
  });

  it("pages with a cursor without gaps or repeats", async () => {
    const ctx = env.ctx(await fx.actor("super"));
    const all = (await listAuditEvents({ ctx, input: { limit: 500 } })).events.map((e) => e.id);
    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const page = await listAuditEvents({ ctx, input: { limit: 4, cursor } });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it("shows a flag's whole history, for reviewers only", async () => {
    const history = await getFlagHistory({ ctx: env.ctx(await fx.actor("reviewer")), input: { namespace: "alpha", key: "limit" } });
    expect(history.nextCursor).toBeNull();
    expect(history.events.map((e) => e.action)).toEqual(["flag_value.set", "flag_value.set", "flag.create"]);
    await expect(code(getFlagHistory({ ctx: env.ctx(await fx.actor("viewer")), input: { namespace: "alpha", key: "limit" } }))).resolves.toBe("forbidden");
  });
});

describe("exporting", () => {
  async function collect(input: unknown, role: "super" | "reviewer" = "reviewer"): Promise<string> {
    const out = await exportAuditEvents({ ctx: env.ctx(await fx.actor(role)), input });
    let s = "";
    for await (const chunk of out.chunks) s += chunk;
    return s;
  }

  it("JSON export equals the list with the same filters", async () => {
    const ctx = env.ctx(await fx.actor("reviewer"));
    const listed = (await listAuditEvents({ ctx, input: { limit: 500 } })).events;
    expect(JSON.parse(await collect({ format: "json" }))).toEqual(listed);
  });

  it("CSV export has a header, one line per event, quoting, and neutralised formulas", async () => {
    const csv = await collect({ format: "csv", flag: "note" });
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,occurredAt,actorType,actorId,actorName,ip,traceId,action,targetType,targetId,namespace,environment,flag,reason,before,after");
    expect(lines).toHaveLength(2);
    // The reason cell would run as a formula in a spreadsheet: it is quoted and prefixed with '.
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(csv).not.toMatch(/,=/);
  });

  it("refuses before the first byte when the caller may not read the history", async () => {
    await expect(code(exportAuditEvents({ ctx: env.ctx(await fx.actor("viewer")), input: { format: "csv" } }))).resolves.toBe("forbidden");
  });
});

describe("rollback", () => {
  it("lists every audited version of each environment's value", async () => {
    const { versions, nextCursor } = await listFlagValueVersions({ ctx: env.ctx(await fx.actor("reviewer")), input: { namespace: "alpha", key: "limit" } });
    expect(nextCursor).toBeNull();
    expect(versions.filter((v) => v.environment === "production").map((v) => [v.version, v.value])).toEqual([[3, 30], [2, 20], [1, 10]]);
  });

  it("pages the versions with a cursor, each once, with the event that created it", async () => {
    const ctx = env.ctx(await fx.actor("reviewer"));
    const seen: [number, number][] = [];
    let cursor: number | null = null;
    do {
      const page: Awaited<ReturnType<typeof listFlagValueVersions>> = await listFlagValueVersions({ ctx, input: { namespace: "alpha", key: "limit", environment: "production", limit: 1, ...(cursor ? { cursor } : {}) } });
      expect(page.versions.length).toBeLessThanOrEqual(1);
      seen.push(...page.versions.map((v) => [v.version, v.value] as [number, number]));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([[3, 30], [2, 20], [1, 10]]);
  });

  it("stops a page at the byte budget: with a budget below one row, every page is one event", async () => {
    const ctx = env.ctx(await fx.actor("reviewer"));
    const where = auditWhere(ctx, { namespace: "alpha", flag: "limit" });
    const whole = await selectAuditPage(ctx, where, 500);
    expect(whole.more).toBe(false);
    const ids: number[] = [];
    for (let cursor: number | null | undefined; cursor !== null; ) {
      const page = await selectAuditPage(ctx, auditWhere(ctx, { namespace: "alpha", flag: "limit" }, [beforeId(cursor)]), 500, 1);
      expect(page.rows).toHaveLength(1);
      ids.push(page.rows[0]!.id);
      cursor = nextCursorOf(page);
    }
    expect(ids).toEqual(whole.rows.map((r) => r.id));
  });

  it("is a new audited, published change; earlier history is untouched", async () => {
    const ctx = env.ctx(await fx.actor("editor"));
    const historyBefore = (await getFlagHistory({ ctx: env.ctx(), input: { namespace: "alpha", key: "limit" } })).events;
    const flag = await rollbackFlagValue({ ctx, input: { namespace: "alpha", key: "limit", environment: "production", toVersion: 1, reason: "bad limit" } });
    expect(flag.values.production).toMatchObject({ value: 10, version: 4 });
    const historyAfter = (await getFlagHistory({ ctx: env.ctx(), input: { namespace: "alpha", key: "limit" } })).events;
    expect(historyAfter.slice(1)).toEqual(historyBefore);
    expect(historyAfter[0]).toMatchObject({
      action: "flag_value.set",
      actorName: "editor@example.test",
      before: { value: 30, version: 3 },
      after: { value: 10, version: 4 },
      reason: expect.stringMatching(/^Rollback to version 1 \(audit event #\d+\): bad limit$/),
    });
    const [outbox] = await env.db
      .select({ n: count() })
      .from(outboxEvents)
      .where(and(eq(outboxEvents.etcdKey, "flags/production/alpha/limit"), eq(outboxEvents.version, 4)));
    expect(outbox?.n).toBe(1);
  });

  it("refuses with 409 when the value moved since it was shown, and changes nothing", async () => {
    const before = await snapshotDb(env.db);
    const r = rollbackFlagValue({ ctx: env.ctx(await fx.actor("editor")), input: { namespace: "alpha", key: "limit", environment: "production", toVersion: 2, expectedVersion: 3 } });
    await expect(code(r)).resolves.toBe("conflict");
    expect(await snapshotDb(env.db)).toBe(before);
  });

  it("refuses roles that cannot write there, and versions that are not earlier, changing nothing", async () => {
    const before = await snapshotDb(env.db);
    const input = { namespace: "alpha", key: "limit", environment: "production", toVersion: 2 };
    for (const role of ["reviewer", "viewer", "devEditor", "outsider"] as const) {
      await expect(code(rollbackFlagValue({ ctx: env.ctx(await fx.actor(role)), input }))).resolves.toBe("forbidden");
    }
    await expect(code(rollbackFlagValue({ ctx: env.ctx(), input: { ...input, toVersion: 4 } }))).resolves.toBe("bad_request");
    await expect(code(rollbackFlagValue({ ctx: env.ctx(), input: { ...input, toVersion: 99 } }))).resolves.toBe("not_found");
    expect(await snapshotDb(env.db)).toBe(before);
    const flag = await getFlag({ ctx: env.ctx(), input: { namespace: "alpha", key: "limit" } });
    expect(flag.values.production?.version).toBe(4);
  });

  it("counts every rollback in the audit log", async () => {
    const [row] = await env.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.flagKey, "limit"));
    expect(row?.n).toBe(4);
  });
});
