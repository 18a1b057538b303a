import type { IKeyValue } from "etcd3";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../lib/db/schema";
import { FLAGS_DIR } from "../../lib/etcd/keys";
import type { FlagDocument } from "../../lib/flags/document";
import { deleteFlag } from "../../lib/flags/delete-flag";
import { setFlagValue } from "../../lib/values/set-flag-value";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { OutboxRelay } from "../relay/outbox-relay";
import { createBooleanFlags, diffEtcdAgainstMysql, outboxCounts, seedScopes } from "../../tests/support/workers/fixtures";
import { reconcileOnce } from "./reconcile-once";

let env: TestEnv;
let relay: OutboxRelay;
beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx();
  await seedScopes(ctx, "checkout", ["production", "staging"]);
  await createBooleanFlags(ctx, "checkout", ["a", "b", "c", "d", "e", "f"]);
  await setFlagValue({ ctx, input: { namespace: "checkout", key: "b", environment: "production", value: true } });
  await deleteFlag({ ctx, input: { namespace: "checkout", key: "f" } });
  relay = new OutboxRelay({ db: env.db, root: env.etcd.root, log: () => {} });
  await relay.runOnce();
});
afterAll(async () => {
  await relay?.stop();
  await env?.cleanup();
});

const put = (path: string, doc: Partial<FlagDocument> & { version: number }) =>
  env.etcd.root.put(`flags/${path}`).value(JSON.stringify({ namespace: "checkout", key: path.split("/")[2], type: "boolean", value: false, updatedAt: new Date().toISOString(), ...doc }));

describe("reconcileOnce", () => {
  it("finds nothing to do when etcd equals MySQL", async () => {
    const report = await reconcileOnce({ db: env.db, root: env.etcd.root });
    expect(report).toMatchObject({ checked: 12, etcdAhead: 0, repairs: { missing: 0, stale: 0, drift: 0, orphan: 0, tombstone: 0 } });
  });

  it("repairs every kind of drift, audits each repair, leaves a newer etcd version alone, and converges", async () => {
    const root = env.etcd.root;
    await root.delete().key("flags/production/checkout/a"); // missing
    await put("production/checkout/b", { version: 1 }); // stale (MySQL has v2)
    await put("staging/checkout/c", { version: 1, value: true }); // drift: same version, other value
    await put("production/checkout/f", { version: 2 }); // drift: served at the version that deleted it
    await root.delete().key("tombstones/staging/checkout/f"); // tombstone of a deleted flag lost
    await put("production/checkout/ghost", { version: 3 }); // orphan: no such flag
    await put("qa/checkout/c", { version: 1 }); // orphan: no such environment
    await put("staging/checkout/d", { version: 5, value: true }); // ahead: newer than MySQL (v1)

    const report = await reconcileOnce({ db: env.db, root });
    expect(report).toMatchObject({ checked: 12, etcdAhead: 1, failed: 0, repairs: { missing: 1, stale: 1, drift: 2, orphan: 2, tombstone: 1 } });
    // Everything equals MySQL except the key etcd holds a newer version of, which was not touched.
    expect(await diffEtcdAgainstMysql(env.db, root)).toEqual(["staging/checkout/d: etcd v5 true != MySQL v1 false"]);
    expect(JSON.parse((await root.get("tombstones/production/checkout/ghost").string())!)).toMatchObject({ version: 3 });

    const audits = await env.db.select().from(auditEvents).where(eq(auditEvents.action, "reconcile.repair"));
    expect(audits).toHaveLength(7);
    expect(audits.every((a) => a.actorName === "system:reconciler" && a.actorType === "system")).toBe(true);
    const missing = audits.find((a) => a.environmentKey === "production" && a.flagKey === "a")!;
    expect(missing.reason).toMatch(/^missing/);
    expect(missing.before).toEqual({ document: null, tombstone: null });
    expect(missing.after).toMatchObject({ document: { key: "a", version: 1, value: false }, tombstone: null });

    const again = await reconcileOnce({ db: env.db, root });
    expect(again).toMatchObject({ etcdAhead: 1, repairs: { missing: 0, stale: 0, drift: 0, orphan: 0, tombstone: 0 } });
    await root.put("flags/staging/checkout/d").value(JSON.stringify({ namespace: "checkout", key: "d", type: "boolean", value: false, version: 1, updatedAt: new Date().toISOString() }));
  });

  it("leaves keys with fresh pending outbox rows to the relay", async () => {
    await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key: "e", environment: "staging", value: true } });
    const report = await reconcileOnce({ db: env.db, root: env.etcd.root });
    expect(report).toMatchObject({ skippedPending: 1, repairs: { missing: 0, stale: 0, drift: 0, orphan: 0, tombstone: 0 } });
    await relay.runOnce();
  });

  it("racing live writes, the relay and etcd damage, never moves any key's version backwards and ends equal to MySQL", async () => {
    const root = env.etcd.root;
    const start = Number((await root.get("probe").exec()).header.revision) + 1;
    const versions = new Map<string, number[]>();
    const watcher = await root.watch().prefix(FLAGS_DIR).startRevision(String(start)).create();
    watcher.on("put", (kv: IKeyValue) => {
      const k = kv.key.toString();
      versions.set(k, [...(versions.get(k) ?? []), (JSON.parse(kv.value.toString()) as { version: number }).version]);
    });
    const loop = new OutboxRelay({ db: env.db, root, log: () => {} }, { pollIntervalMs: 5 });
    loop.start();
    let writing = true;
    const reconciling = (async () => {
      while (writing) await reconcileOnce({ db: env.db, root });
    })();
    for (let i = 0; i < 15; i++) {
      for (const key of ["a", "b", "c"]) {
        await setFlagValue({ ctx: env.ctx(), input: { namespace: "checkout", key, environment: "production", value: i % 2 === 0 } });
      }
      if (i % 3 === 0) await root.delete().key("flags/production/checkout/b"); // damage for the reconciler to repair
    }
    writing = false;
    await reconciling;
    await waitFor(async () => (await outboxCounts(env.db)).pending === 0, "relay drained");
    await loop.stop();
    await reconcileOnce({ db: env.db, root });
    expect(await diffEtcdAgainstMysql(env.db, root)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    await watcher.cancel();
    for (const [k, vs] of versions) expect(vs.every((v, i) => i === 0 || v >= vs[i - 1]!), `${k}: ${vs.join(",")}`).toBe(true);
  });
});
