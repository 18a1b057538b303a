import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, userActor, type TestEnv } from "../../tests/support/test-env";
import { auditEvents, sdkKeys } from "../db/schema";
import { ServiceError } from "../errors/service-error";
import { seedScopes } from "../../tests/support/stream-server/fixtures";
import { createSdkKey } from "./create-sdk-key";
import { listSdkKeys } from "./list-sdk-keys";
import { revokeSdkKey } from "./revoke-sdk-key";
import { closeDb, createDb } from "../db/client";
import { sdkKeyCacheSizes, setSdkKeyLookupBudget, verifySdkKey } from "./verify-sdk-key";
import { metrics } from "../observability/metrics";

let env: TestEnv;
const superAdmin = userActor("root", [], true);
const payAdmin = userActor("pay-admin", [{ namespaceKey: "pay", role: "admin", environmentKeys: null }]);
const payEditor = userActor("pay-editor", [{ namespaceKey: "pay", role: "editor", environmentKeys: null }]);
const globalAdmin = userActor("global-admin", [{ namespaceKey: null, role: "admin", environmentKeys: null }]);

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod", "dev"], namespaces: ["pay", "search"] });
});
afterAll(async () => {
  await env.cleanup();
});

async function rejects(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return err as ServiceError;
}

describe("SDK key service", () => {
  it("returns the key once (mf_sdk_ + 43 url-safe chars), stores only its SHA-256 and a prefix, and audits without it", async () => {
    const created = await createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "web", environment: "prod", namespaces: ["pay"] } });
    expect(created.key).toMatch(/^mf_sdk_[A-Za-z0-9_-]{43}$/);
    expect(created.sdkKey).toMatchObject({ name: "web", environment: "prod", namespaces: ["pay"], createdBy: "pay-admin", revokedAt: null });
    expect(created.key.startsWith(created.sdkKey.prefix)).toBe(true);
    const [row] = await env.db.select().from(sdkKeys).where(eq(sdkKeys.id, created.sdkKey.id));
    expect(row!.keyHash).toBe(createHash("sha256").update(created.key).digest("hex"));
    const audit = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "sdk_key.create"));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(created.key);
    expect(audit[0]).toMatchObject({ actorName: "pay-admin", environmentKey: "prod", namespaceKey: "pay", targetId: created.sdkKey.id });
  });

  it("requires namespace admin over every listed namespace, and super-admin for all namespaces; a refusal writes nothing", async () => {
    const before = (await env.db.select().from(sdkKeys)).length;
    expect((await rejects(createSdkKey({ ctx: env.ctx(payEditor), input: { name: "x", environment: "prod", namespaces: ["pay"] } }))).code).toBe("forbidden");
    expect((await rejects(createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "x", environment: "prod", namespaces: ["pay", "search"] } }))).code).toBe("forbidden");
    expect((await rejects(createSdkKey({ ctx: env.ctx(globalAdmin), input: { name: "x", environment: "prod", namespaces: null } }))).code).toBe("forbidden");
    expect((await rejects(createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "x", environment: "nope", namespaces: null } }))).code).toBe("validation_failed");
    const missingNs = await rejects(createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "x", environment: "prod", namespaces: ["pay", "ghost"] } }));
    expect(missingNs.issues).toEqual([{ path: "namespaces", message: "no such namespace: ghost" }]);
    expect((await rejects(createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "x", environment: "prod", namespaces: [] } }))).code).toBe("validation_failed");
    expect((await env.db.select().from(sdkKeys)).length).toBe(before);
    const all = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "server", environment: "dev", namespaces: null } });
    expect(all.sdkKey.namespaces).toBeNull();
  });

  it("creates client keys with their CORS origins, shows the kind in lists, and refuses origins on a server key", async () => {
    // A client key is what browsers hold; origins only make sense for it (a server key's data includes rules).
    const client = await createSdkKey({
      ctx: env.ctx(payAdmin),
      input: { name: "spa", environment: "prod", namespaces: ["pay"], kind: "client", allowedOrigins: ["https://App.example.com", "http://localhost:3000"] },
    });
    expect(client.sdkKey).toMatchObject({ kind: "client", allowedOrigins: ["https://app.example.com", "http://localhost:3000"] });
    const listed = await listSdkKeys({ ctx: env.ctx(payAdmin) });
    expect(listed.find((k) => k.id === client.sdkKey.id)?.kind).toBe("client");
    expect(listed.every((k) => k.kind === "server" || k.kind === "client")).toBe(true);
    const verified = await verifySdkKey(env.db, client.key);
    expect(verified).toMatchObject({ status: "ok", principal: { kind: "client", allowedOrigins: ["https://app.example.com", "http://localhost:3000"] } });
    const before = (await env.db.select().from(sdkKeys)).length;
    const bad = await rejects(createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "s", environment: "prod", namespaces: ["pay"], allowedOrigins: ["https://a.example"] } }));
    expect(bad.issues?.[0]?.path).toBe("allowedOrigins");
    const badOrigin = await rejects(createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "s", environment: "prod", namespaces: ["pay"], kind: "client", allowedOrigins: ["https://a.example/path"] } }));
    expect(badOrigin.code).toBe("validation_failed");
    const badKind = await rejects(createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "s", environment: "prod", namespaces: ["pay"], kind: "admin" } }));
    expect(badKind.code).toBe("validation_failed");
    expect((await env.db.select().from(sdkKeys)).length).toBe(before);
  });

  it("verifies keys: scope for a live key, unknown for anything else", async () => {
    const created = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "v", environment: "dev", namespaces: ["search", "pay", "pay"] } });
    const ok = await verifySdkKey(env.db, created.key);
    expect(ok).toEqual({
      status: "ok",
      principal: { keyId: created.sdkKey.id, name: "v", prefix: created.sdkKey.prefix, environment: "dev", namespaces: ["pay", "search"], kind: "server", allowedOrigins: [] },
    });
    expect(await verifySdkKey(env.db, "not-a-key")).toEqual({ status: "unknown" });
    expect(await verifySdkKey(env.db, `mf_sdk_${"Z".repeat(43)}`)).toEqual({ status: "unknown" });
  });

  it("keeps unknown keys out of the cache of real ones, so a flood of made-up keys cannot evict them", async () => {
    const created = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "cached", environment: "dev", namespaces: null } });
    await verifySdkKey(env.db, created.key);
    const before = sdkKeyCacheSizes(env.db);
    const made = Array.from({ length: 50 }, () => `mf_sdk_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`);
    for (const key of made) expect(await verifySdkKey(env.db, key)).toEqual({ status: "unknown" });
    const after = sdkKeyCacheSizes(env.db);
    expect(after.known).toBe(before.known);
    expect(after.unknown).toBe(before.unknown + 50);
    expect(await verifySdkKey(env.db, created.key)).toMatchObject({ status: "ok" });
  });

  it("spends a per-process budget on lookups of keys never seen valid, never on keys that were", async () => {
    // Its own handle: caches and budget are per database handle.
    const db = createDb(env.databaseUrl);
    try {
      const live = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "live", environment: "dev", namespaces: null } });
      expect(await verifySdkKey(db, live.key)).toMatchObject({ status: "ok" });
      setSdkKeyLookupBudget(db, { burst: 5, perSecond: 0.01 });
      const made = () => `mf_sdk_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
      const verdicts = [];
      for (let i = 0; i < 8; i++) verdicts.push((await verifySdkKey(db, made())).status);
      expect(verdicts).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown", "busy", "busy", "busy"]);
      // The key verified before the flood still answers (after its 1 s cache entry too).
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await verifySdkKey(db, live.key)).toMatchObject({ status: "ok" });
      // A key this process never saw valid waits for the budget like any other.
      const fresh = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "fresh", environment: "dev", namespaces: null } });
      expect(await verifySdkKey(db, fresh.key)).toMatchObject({ status: "busy" });
    } finally {
      await closeDb(db);
    }
  });

  it("re-verifies a key in use before its cached second ends, in the background: no request waits on MySQL, and a revocation shows within that second", async () => {
    const db = createDb(env.databaseUrl);
    const lookups = async () => (await metrics.sdkKeyLookups.get()).values.reduce((n, v) => n + v.value, 0);
    // Resolves with the verdict if it was served from the cache (microtasks), "waited" if it needed I/O.
    const fromCache = (key: string) => Promise.race([verifySdkKey(db, key), new Promise<"waited">((r) => setImmediate(() => r("waited")))]);
    try {
      const k = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "refreshed", environment: "dev", namespaces: null } });
      expect(await verifySdkKey(db, k.key)).toMatchObject({ status: "ok" });
      const cachedAt = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      // Revoked by another process: this handle is not told, only its own lookups can see it.
      await env.db.update(sdkKeys).set({ revokedAt: new Date() }).where(eq(sdkKeys.id, k.sdkKey.id));
      const before = await lookups();
      const served = await fromCache(k.key);
      if (Date.now() - cachedAt < 950) {
        // Still inside its second: answered from the cache at once, and a refresh went out.
        expect(served).toMatchObject({ status: "ok" });
        for (const until = Date.now() + 5_000; (await lookups()) === before && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5));
        expect(await lookups()).toBe(before + 1);
        expect(await fromCache(k.key)).toEqual({ status: "revoked", keyId: k.sdkKey.id });
      }
      // However late this machine ran the steps above, the revocation is seen once the second is over.
      await new Promise((r) => setTimeout(r, Math.max(0, cachedAt + 1_000 - Date.now())));
      expect(await verifySdkKey(db, k.key)).toEqual({ status: "revoked", keyId: k.sdkKey.id });
    } finally {
      await closeDb(db);
    }
  });

  it("lists only keys the actor may manage", async () => {
    const searchKey = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "search only", environment: "prod", namespaces: ["search"] } });
    const shared = await createSdkKey({ ctx: env.ctx(superAdmin), input: { name: "shared", environment: "prod", namespaces: ["pay", "search"] } });
    const seenByPay = (await listSdkKeys({ ctx: env.ctx(payAdmin) })).map((k) => k.id);
    expect(seenByPay).toContain(shared.sdkKey.id);
    expect(seenByPay).not.toContain(searchKey.sdkKey.id);
    const all = await listSdkKeys({ ctx: env.ctx(payAdmin) });
    expect(all.every((k) => k.namespaces !== null && k.namespaces.includes("pay"))).toBe(true);
    expect(await listSdkKeys({ ctx: env.ctx(payEditor) })).toEqual([]);
    const everything = await listSdkKeys({ ctx: env.ctx(superAdmin), input: { environment: "prod" } });
    expect(everything.every((k) => k.environment === "prod")).toBe(true);
    expect(everything.map((k) => k.id)).toContain(searchKey.sdkKey.id);
  });

  it("revokes with an audit row; verification says revoked at once; a second revoke changes nothing; others get 404", async () => {
    const created = await createSdkKey({ ctx: env.ctx(payAdmin), input: { name: "to revoke", environment: "prod", namespaces: ["pay"] } });
    expect((await verifySdkKey(env.db, created.key)).status).toBe("ok"); // now cached
    expect((await rejects(revokeSdkKey({ ctx: env.ctx(userActor("search-admin", [{ namespaceKey: "search", role: "admin", environmentKeys: null }])), input: { id: created.sdkKey.id } }))).code).toBe("not_found");

    const revoked = await revokeSdkKey({ ctx: env.ctx(payAdmin), input: { id: created.sdkKey.id, reason: "leaked in a screenshot" } });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await verifySdkKey(env.db, created.key)).toEqual({ status: "revoked", keyId: created.sdkKey.id });
    const again = await revokeSdkKey({ ctx: env.ctx(payAdmin), input: { id: created.sdkKey.id } });
    expect(again.revokedAt).toBe(revoked.revokedAt);
    const audit = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "sdk_key.revoke"));
    expect(audit.filter((a) => a.targetId === created.sdkKey.id)).toHaveLength(1);
    expect(audit.find((a) => a.targetId === created.sdkKey.id)!.reason).toBe("leaked in a screenshot");

    const listed = await listSdkKeys({ ctx: env.ctx(payAdmin) });
    expect(listed.map((k) => k.id)).not.toContain(created.sdkKey.id);
    const withRevoked = await listSdkKeys({ ctx: env.ctx(payAdmin), input: { includeRevoked: true } });
    expect(withRevoked.map((k) => k.id)).toContain(created.sdkKey.id);
  });
});
