import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, parseTombstone } from "../flags/document";
import { createTestEnv, type TestEnv } from "../../tests/support/test-env";
import { publishFenced, publishMany, type PublishItem } from "./fence";
import { flagKey, tombstoneKey, type FlagAddress } from "./keys";

/**
 * publishFenced starts from what this process last wrote to a key (a guess that saves the read) and
 * lets etcd check it. These tests make the guess wrong in every way another writer can, and check
 * the fence still holds: a publish lands only over an older version, never over a newer one.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

const put = (address: FlagAddress, version: number, value: unknown = version): PublishItem => ({
  op: "put",
  address,
  version,
  document: { namespace: address.namespace, key: address.key, type: "number", value, version, updatedAt: new Date().toISOString() },
});
const del = (address: FlagAddress, version: number): PublishItem => ({
  op: "delete",
  address,
  version,
  tombstone: { namespace: address.namespace, key: address.key, version, deletedAt: new Date().toISOString() },
});

describe("publishFenced with a remembered key state", () => {
  it("never lets an older version overwrite a newer one written by another process meanwhile", async () => {
    const a = { environment: "production", namespace: "ns", key: "raced" };
    const ours = env.etcd.root;
    // A second client on the same prefix stands for another process (its own memory of the key).
    const other = env.etcd.client.namespace(env.etcdPrefix);
    expect(await publishFenced(ours, put(a, 1))).toBe("applied");
    expect(await publishFenced(ours, put(a, 2))).toBe("applied");
    expect(await publishFenced(other, put(a, 5))).toBe("applied");
    // Our guess (v2 at its mod revision) is now wrong: the compare fails and etcd's answer says v5.
    expect(await publishFenced(ours, put(a, 3))).toBe("stale");
    expect(parseDocument(await ours.get(flagKey(a)).string())?.version).toBe(5);
    expect(await publishFenced(ours, put(a, 6))).toBe("applied");
    expect(parseDocument(await ours.get(flagKey(a)).string())?.version).toBe(6);
  });

  it("re-checks a remembered version that says 'stale' with a real read instead of trusting it", async () => {
    const a = { environment: "production", namespace: "ns", key: "same-version" };
    expect(await publishFenced(env.etcd.root, put(a, 4))).toBe("applied");
    expect(await publishFenced(env.etcd.root, put(a, 4))).toBe("stale");
    expect(await publishFenced(env.etcd.root, put(a, 3))).toBe("stale");
    expect(parseDocument(await env.etcd.root.get(flagKey(a)).string())).toMatchObject({ version: 4, value: 4 });
  });

  it("follows deletes and tombstones written by others, and keeps a tombstone's version as the floor", async () => {
    const a = { environment: "staging", namespace: "ns", key: "tomb" };
    const ours = env.etcd.root;
    const other = env.etcd.client.namespace(env.etcdPrefix);
    expect(await publishFenced(ours, put(a, 1))).toBe("applied");
    expect(await publishFenced(other, del(a, 3))).toBe("applied");
    expect(await publishFenced(ours, put(a, 2))).toBe("stale"); // older than the tombstone
    expect(await ours.get(flagKey(a)).string()).toBeNull();
    expect(await publishFenced(ours, put(a, 4))).toBe("applied"); // newer: replaces the tombstone
    expect(await ours.get(tombstoneKey(a)).string()).toBeNull();
    // Someone removes the document outright (no tombstone): our guess is wrong again, the put lands.
    await other.delete().key(flagKey(a)).exec();
    expect(await publishFenced(ours, put(a, 5))).toBe("applied");
    expect(await publishFenced(ours, del(a, 6))).toBe("applied");
    expect(parseTombstone(await ours.get(tombstoneKey(a)).string())?.version).toBe(6);
    expect(await ours.get(flagKey(a)).string()).toBeNull();
  });

  it("does not apply over a document that was rewritten with different bytes at a newer version", async () => {
    const a = { environment: "production", namespace: "ns", key: "rewritten" };
    const ours = env.etcd.root;
    expect(await publishFenced(ours, put(a, 1))).toBe("applied");
    // Raw rewrite by someone else (as after an etcd restore): newer version, our guess is stale.
    const newer = put(a, 9) as Extract<PublishItem, { op: "put" }>;
    await env.etcd.client.namespace(env.etcdPrefix).put(flagKey(a)).value(JSON.stringify(newer.document));
    expect(await publishFenced(ours, put(a, 2))).toBe("stale");
    expect(parseDocument(await ours.get(flagKey(a)).string())?.version).toBe(9);
  });
});

describe("publishMany: many keys fenced in one transaction", () => {
  const addr = (i: number) => ({ environment: "production", namespace: "many", key: `k${i}` });
  const versionOf = async (i: number) => parseDocument(await env.etcd.root.get(flagKey(addr(i))).string())?.version;

  it("applies a batch larger than one transaction, collapsing a key's versions to the newest", async () => {
    const items = Array.from({ length: 70 }, (_, i) => put(addr(i), 1));
    items.push(put(addr(0), 2), put(addr(0), 3));
    const out = await publishMany(env.etcd.root, items);
    expect(out.filter((o) => o === "applied")).toHaveLength(70);
    // Superseded items count as stale: only the newest of a key is written.
    expect([out[0], out[70], out[71]]).toEqual(["stale", "stale", "applied"]);
    expect(await versionOf(0)).toBe(3);
    for (let i = 1; i < 70; i++) expect(await versionOf(i)).toBe(1);
  });

  it("when another writer changed some keys, lands the rest and never overwrites a newer version", async () => {
    const other = env.etcd.client.namespace(env.etcdPrefix);
    const ours = env.etcd.root;
    const items = Array.from({ length: 10 }, (_, i) => put(addr(100 + i), 1));
    expect(await publishMany(ours, items)).toEqual(Array(10).fill("applied"));
    // Behind our back: k100 jumps to v9 (newer than what we will send), k101 is rewritten at v1
    // with other bytes, k102 is deleted outright. Our remembered states of all three are wrong.
    expect(await publishFenced(other, put(addr(100), 9))).toBe("applied");
    await other.put(flagKey(addr(101))).value(JSON.stringify((put(addr(101), 1, "other") as Extract<PublishItem, { op: "put" }>).document));
    await other.delete().key(flagKey(addr(102))).exec();
    const out = await publishMany(ours, Array.from({ length: 10 }, (_, i) => put(addr(100 + i), 2)));
    expect(out).toEqual(["stale", ...Array(9).fill("applied")]);
    expect(await versionOf(100)).toBe(9);
    for (let i = 1; i < 10; i++) expect(await versionOf(100 + i)).toBe(2);
  });
});
