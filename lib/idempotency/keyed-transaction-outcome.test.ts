import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMariaDb, type MariaDbHandle } from "../../scripts/lib/local-services";
import { startCommitReplyProxy, type CommitReplyProxy } from "../../tests/support/mysql/commit-reply-proxy";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { SYSTEM_ACTOR } from "../auth/actor";
import type { ServiceContext } from "../core/context";
import { closeDb, createDb, type Db } from "../db/client";
import { auditEvents, flags } from "../db/schema";
import { createEnvironment } from "../environments/environment-verbs";
import { toErrorResponse } from "../errors/http";
import { createFlag } from "../flags/create-flag";
import { updateFlag } from "../flags/update-flag";
import type { ApiRequest } from "../http/api-request";
import { idempotentHandler } from "../http/idempotency";
import { createNamespace } from "../namespaces/namespace-verbs";

// Guarantee: a keyed write through inTransaction (every admin write but the value ones, which
// have their own test in commit-outcome.test.ts) whose COMMIT gets no reply is answered with what
// happened: saved when its commit marker says it committed, 503 "nothing was changed" when it was
// rolled back, and 504 commit_outcome_unknown with its key when the check cannot reach the
// database, resolved by a retry with the key (written once). A TCP proxy in front of the real
// MariaDB (tests/support/mysql/commit-reply-proxy.ts) loses the COMMIT or its reply.
let base: string;
let server: MariaDbHandle;
let env: TestEnv;
let db: Db;
let ctx: ServiceContext;
let proxy: CommitReplyProxy;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mf-keyed-outcome-"));
  server = await startMariaDb({ baseDir: base, database: "mizuflow" });
  env = await createTestEnv({ mysqlUrl: server.url });
  const setup = env.ctx();
  await createEnvironment({ ctx: setup, input: { key: "production", name: "Production" } });
  await createNamespace({ ctx: setup, input: { key: "pay", name: "Pay" } });
  for (const key of ["a", "b", "c"]) await createFlag({ ctx: setup, input: { namespace: "pay", key, type: "number" } });
  proxy = await startCommitReplyProxy(env.databaseUrl);
  db = createDb(proxy.url, 10, { connectTimeoutMs: 1_000, queryTimeoutMs: 1_000 });
  ctx = { db, actor: SYSTEM_ACTOR };
}, 60_000);
afterAll(async () => {
  await closeDb(db).catch(() => {});
  await proxy?.close();
  await env.cleanup().catch(() => {});
  await server.stop();
  await rm(base, { recursive: true, force: true });
});

const descriptionOf = async (key: string) => (await env.db.select({ d: flags.description }).from(flags).where(eq(flags.key, key)))[0]!.d;
const auditsOf = async (key: string) => (await env.db.select().from(auditEvents).where(eq(auditEvents.flagKey, key))).length;
const patch = (key: string, idemKey: string): ApiRequest => ({
  method: "PATCH",
  url: `http://mizuflow.test/api/v1/flags/pay/${key}`,
  headers: { get: (n) => (n.toLowerCase() === "idempotency-key" ? idemKey : null) },
  bodyBytes: async () => new Uint8Array(0),
});
/** The PATCH as withApi runs it for a spec marked idempotent. */
const update = (key: string, idemKey: string, description: string) =>
  idempotentHandler({ req: patch(key, idemKey), ctx, body: { description }, status: 200 }, (c) => updateFlag({ ctx: c, input: { namespace: "pay", key, description } }));
const settle = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e, ...toErrorResponse(e) }),
  );
describe("a keyed non-value write (PATCH flag) whose COMMIT gets no reply", () => {
  it("is answered as saved when the COMMIT went through and only its reply was lost", async () => {
    const before = await auditsOf("a");
    proxy.arm("swallow-reply");
    const out = await settle(update("a", "lost-reply-a", "saved"));
    expect(out.ok, out.ok ? "" : JSON.stringify(out.body)).toBe(true);
    expect(out.ok && !(out.v instanceof Response) ? out.v : null).toMatchObject({ key: "a", description: "saved" });
    expect(await descriptionOf("a")).toBe("saved");
    expect(await auditsOf("a")).toBe(before + 1);
  });

  it("is answered 503 (nothing changed) when the COMMIT never reached the server", async () => {
    const before = await auditsOf("b");
    proxy.arm("drop-commit");
    const out = await settle(update("b", "dropped-b", "never"));
    expect(out.ok).toBe(false);
    expect(out.ok ? null : out.status).toBe(503);
    expect(await descriptionOf("b")).not.toBe("never");
    expect(await auditsOf("b")).toBe(before);
  });

  it("is answered 504 commit_outcome_unknown with its key when the check cannot reach the database, and a retry with the key resolves it", async () => {
    const before = await auditsOf("c");
    proxy.arm("swallow-reply");
    const write = settle(update("c", "retry-c", "retried"));
    // The COMMIT is on its way; then the database stops answering anyone for longer than the check's bound.
    await new Promise((r) => setTimeout(r, 300));
    proxy.stall(true);
    const out = await write;
    proxy.stall(false);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.status).toBe(504);
    expect(out.body.error).toMatchObject({ code: "commit_outcome_unknown", details: { idempotencyKey: "retry-c" } });
    const retry = await waitFor(() => settle(update("c", "retry-c", "retried")).then((r) => (r.ok ? r : null)), "a retry to be answered", 15_000, 250);
    expect(retry.v).toBeInstanceOf(Response);
    expect((retry.v as Response).headers.get("idempotent-replayed")).toBe("true");
    expect(await (retry.v as Response).json()).toMatchObject({ key: "c", description: "retried" });
    expect(await auditsOf("c")).toBe(before + 1);
  }, 40_000);
});
