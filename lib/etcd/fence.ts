import type { Namespace } from "etcd3";
import { parseDocument, parseTombstone, type FlagDocument, type Tombstone } from "../flags/document";
import { flagKey, tombstoneKey, type FlagAddress } from "./keys";

/**
 * Fenced writes: a publish only lands if etcd's stored version for the key is older. The read
 * records the mod_revision of both the flag key and its tombstone; the write is a transaction that
 * compares both, so anything written in between makes it retry from a fresh read. A duplicate or
 * stale publish is therefore a no-op, never an overwrite, whoever sends it (relay, write path,
 * reconciler) and in whatever order they arrive.
 */
export type PublishItem =
  | { op: "put"; address: FlagAddress; version: number; document: FlagDocument }
  | { op: "delete"; address: FlagAddress; version: number; tombstone: Tombstone };

/** applied: this write landed. stale: etcd already held this version or a newer one. */
export type PublishOutcome = "applied" | "stale";

export interface KeyState {
  document: FlagDocument | null;
  documentRaw: string | null;
  documentMod: number;
  tombstone: Tombstone | null;
  tombstoneMod: number;
  /** The version etcd holds for the key: its document's, else its tombstone's, else 0. */
  version: number;
}

export async function readKeyState(root: Namespace, address: FlagAddress): Promise<KeyState> {
  const [doc, tomb] = await Promise.all([
    root.get(flagKey(address)).exec(),
    root.get(tombstoneKey(address)).exec(),
  ]);
  const dkv = doc.kvs[0];
  const tkv = tomb.kvs[0];
  const documentRaw = dkv ? dkv.value.toString("utf8") : null;
  const document = parseDocument(documentRaw);
  const tombstone = tkv ? parseTombstone(tkv.value.toString("utf8")) : null;
  // A document we cannot parse counts as version 0: any valid publish may replace it.
  const version = Math.max(document?.version ?? 0, tombstone?.version ?? 0);
  return {
    document,
    documentRaw,
    documentMod: dkv ? Number(dkv.mod_revision) : 0,
    tombstone,
    tombstoneMod: tkv ? Number(tkv.mod_revision) : 0,
    version,
  };
}

/** Builds a transaction that succeeds only if neither key changed since `state` was read. */
function guarded(root: Namespace, address: FlagAddress, state: KeyState) {
  const dk = flagKey(address);
  const tk = tombstoneKey(address);
  const txn = state.documentMod ? root.if(dk, "Mod", "==", state.documentMod) : root.if(dk, "Create", "==", 0);
  return state.tombstoneMod ? txn.and(tk, "Mod", "==", state.tombstoneMod) : txn.and(tk, "Create", "==", 0);
}

function writeOps(root: Namespace, item: PublishItem, state: KeyState) {
  const dk = flagKey(item.address);
  const tk = tombstoneKey(item.address);
  if (item.op === "put") {
    const ops = [root.put(dk).value(JSON.stringify(item.document))];
    return state.tombstoneMod ? [...ops, root.delete().key(tk)] : ops;
  }
  const ops = [root.put(tk).value(JSON.stringify(item.tombstone))];
  return state.documentMod ? [root.delete().key(dk), ...ops] : ops;
}

const MAX_ATTEMPTS = 16;

export async function publishFenced(root: Namespace, item: PublishItem): Promise<PublishOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await readKeyState(root, item.address);
    if (state.version >= item.version) return "stale";
    const res = await guarded(root, item.address, state)
      .then(...writeOps(root, item, state))
      .commit();
    if (res.succeeded) return "applied";
    // Lost a race with another writer: re-read; the newer write may already supersede ours.
  }
  throw new Error(`fenced publish of ${flagKey(item.address)} kept losing races`);
}

/**
 * Publishes a batch. Items for the same key collapse to the highest version (the others are
 * superseded, which is "stale" in effect); different keys are written concurrently.
 */
export async function publishMany(root: Namespace, items: PublishItem[]): Promise<PublishOutcome[]> {
  const newest = new Map<string, PublishItem>();
  for (const item of items) {
    const k = flagKey(item.address);
    const cur = newest.get(k);
    if (!cur || cur.version < item.version) newest.set(k, item);
  }
  const results = new Map<PublishItem, PublishOutcome>();
  await Promise.all(
    [...newest.values()].map(async (item) => results.set(item, await publishFenced(root, item))),
  );
  return items.map((item) => results.get(item) ?? "stale");
}

/**
 * Reconciler repair for same-version drift: rewrites the document only while etcd still holds
 * exactly `expected.version`, so a newer in-flight publish is never undone.
 */
export async function rewriteSameVersion(root: Namespace, address: FlagAddress, expected: FlagDocument): Promise<boolean> {
  const state = await readKeyState(root, address);
  if (!state.documentMod || state.version !== expected.version) return false;
  const res = await guarded(root, address, state)
    .then(root.put(flagKey(address)).value(JSON.stringify(expected)))
    .commit();
  return res.succeeded;
}

/**
 * Removes a key MySQL does not know. The tombstone keeps the removed version so later publishes
 * still compare against it. Returns false if the key changed meanwhile.
 */
export async function removeUnknownKey(root: Namespace, address: FlagAddress, observedMod: number): Promise<boolean> {
  const state = await readKeyState(root, address);
  if (state.documentMod !== observedMod || !state.documentMod) return false;
  const tombstone: Tombstone = {
    namespace: address.namespace,
    key: address.key,
    version: state.version,
    deletedAt: new Date().toISOString(),
  };
  const res = await guarded(root, address, state)
    .then(root.delete().key(flagKey(address)), root.put(tombstoneKey(address)).value(JSON.stringify(tombstone)))
    .commit();
  return res.succeeded;
}
