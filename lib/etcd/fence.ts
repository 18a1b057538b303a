import type { Namespace } from "etcd3";
import { parseDocument, parseSegmentDocument, parseTombstone, type FlagDocument, type PublishedDocument, type SegmentDocument, type Tombstone } from "../flags/document";
import { flagKey, tombstoneKey, type FlagAddress } from "./keys";

/**
 * Fenced writes: a publish only lands if etcd's stored version for the key is older. The read
 * records the mod_revision (and bytes) of both the flag key and its tombstone; the write is a
 * transaction that compares them, so anything written in between makes it retry from the state the
 * failed transaction returns (publishFenced may start from this process's last known state of
 * the key instead of a read; see `known` below). A duplicate or stale publish is therefore a no-op,
 * never an overwrite, whoever sends it (relay, write path, reconciler) and in whatever order they
 * arrive.
 */
export type PublishItem =
  | { op: "put"; address: FlagAddress; version: number; document: FlagDocument | SegmentDocument }
  | { op: "delete"; address: FlagAddress; version: number; tombstone: Tombstone };

/** applied: this write landed. stale: etcd already held this version or a newer one. */
export type PublishOutcome = "applied" | "stale";

export interface KeyState {
  /** A FlagDocument, or a SegmentDocument for a segment address. */
  document: PublishedDocument | null;
  documentRaw: string | null;
  documentMod: number;
  tombstone: Tombstone | null;
  tombstoneRaw: string | null;
  tombstoneMod: number;
  /** The version etcd holds for the key: its document's, else its tombstone's, else 0. */
  version: number;
}

export async function readKeyState(root: Namespace, address: FlagAddress): Promise<KeyState> {
  const [doc, tomb] = await Promise.all([
    root.get(flagKey(address)).exec(),
    root.get(tombstoneKey(address)).exec(),
  ]);
  return stateFromRanges(doc, tomb, address);
}

type RangeResult = { kvs: { value: Buffer; mod_revision: string }[] };

function stateFromRanges(doc: RangeResult, tomb: RangeResult, address: FlagAddress): KeyState {
  const dkv = doc.kvs[0];
  const tkv = tomb.kvs[0];
  const documentRaw = dkv ? dkv.value.toString("utf8") : null;
  const document = address.kind === "segment" ? parseSegmentDocument(documentRaw) : parseDocument(documentRaw);
  const tombstoneRaw = tkv ? tkv.value.toString("utf8") : null;
  const tombstone = parseTombstone(tombstoneRaw);
  // A document we cannot parse counts as version 0: any valid publish may replace it.
  const version = Math.max(document?.version ?? 0, tombstone?.version ?? 0);
  return {
    document,
    documentRaw,
    documentMod: dkv ? Number(dkv.mod_revision) : 0,
    tombstone,
    tombstoneRaw,
    tombstoneMod: tkv ? Number(tkv.mod_revision) : 0,
    version,
  };
}

type Mods = Pick<KeyState, "documentMod" | "documentRaw" | "tombstoneMod" | "tombstoneRaw">;

/**
 * Builds a transaction that succeeds only if neither key changed since `state` was read: same mod
 * revision and same bytes (the bytes pin the version even across an etcd that was wiped and
 * refilled, where a mod revision could come round again).
 */
function guarded(root: Namespace, address: FlagAddress, state: Mods) {
  return addGuards(null, root, address, state);
}

type Guarded = ReturnType<Namespace["if"]>;

/** The compares of guarded(), appended to `txn` (or starting one), so one txn can fence many keys. */
function addGuards(txn: Guarded | null, root: Namespace, address: FlagAddress, state: Mods): Guarded {
  const dk = flagKey(address);
  const tk = tombstoneKey(address);
  const cmp = (key: string, target: "Mod" | "Create" | "Value", value: number | string): Guarded =>
    txn ? txn.and(key, target, "==", value) : root.if(key, target, "==", value);
  txn = state.documentMod ? cmp(dk, "Mod", state.documentMod) : cmp(dk, "Create", 0);
  if (state.documentMod && state.documentRaw !== null) txn = cmp(dk, "Value", state.documentRaw);
  if (!state.tombstoneMod) return cmp(tk, "Create", 0);
  txn = cmp(tk, "Mod", state.tombstoneMod);
  return state.tombstoneRaw !== null ? cmp(tk, "Value", state.tombstoneRaw) : txn;
}

function writeOps(root: Namespace, item: PublishItem, state: Mods, json: string) {
  const dk = flagKey(item.address);
  const tk = tombstoneKey(item.address);
  if (item.op === "put") {
    const ops = [root.put(dk).value(json)];
    return state.tombstoneMod ? [...ops, root.delete().key(tk)] : ops;
  }
  const ops = [root.put(tk).value(json)];
  return state.documentMod ? [root.delete().key(dk), ...ops] : ops;
}

const MAX_ATTEMPTS = 16;

/**
 * What this process last knew of a key (mod revisions, bytes and version), per etcd root. Only a
 * guess that saves the read: the write compares it exactly like a fresh read (guarded), so a stale
 * guess just fails the compare, and the same round trip returns the key's real state (the
 * transaction's else branch). A publish thus costs one transaction when the guess holds (the usual
 * case for a process that keeps publishing the same keys) and two otherwise, instead of two reads
 * plus a transaction.
 */
type KnownState = Mods & Pick<KeyState, "version">;
const KNOWN_MAX = 20_000;
const known = new WeakMap<Namespace, Map<string, KnownState>>();

const knownFor = (root: Namespace) => known.get(root) ?? known.set(root, new Map()).get(root)!;

function remember(root: Namespace, key: string, s: KnownState): void {
  const m = knownFor(root);
  m.delete(key); // re-insert: Map order = least recently used first
  m.set(key, { documentMod: s.documentMod, documentRaw: s.documentRaw, tombstoneMod: s.tombstoneMod, tombstoneRaw: s.tombstoneRaw, version: s.version });
  if (m.size > KNOWN_MAX) m.delete(m.keys().next().value as string);
}

const NOTHING: KnownState = { documentMod: 0, documentRaw: null, tombstoneMod: 0, tombstoneRaw: null, version: 0 };

export async function publishFenced(root: Namespace, item: PublishItem): Promise<PublishOutcome> {
  const key = flagKey(item.address);
  // Start from what we know (or "no key yet", right for a new flag); a guess that says the item is
  // stale is never trusted, it is checked with a real read.
  let guess: KnownState | null = knownFor(root).get(key) ?? NOTHING;
  if (guess.version >= item.version) guess = null;
  const written = JSON.stringify(item.op === "put" ? item.document : item.tombstone);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let state: KnownState;
    if (guess) state = guess;
    else {
      state = await readKeyState(root, item.address);
      remember(root, key, state);
      if (state.version >= item.version) return "stale";
    }
    const res = await guarded(root, item.address, state)
      .then(...writeOps(root, item, state, written))
      .else(root.get(key), root.get(tombstoneKey(item.address)))
      .commit();
    if (res.succeeded) {
      remember(root, key, writtenState(item, written, Number(res.header.revision)));
      return "applied";
    }
    // The key changed since the guess or the read (another writer, or a wrong guess). The else
    // branch returned its current state: the newer write may already supersede ours.
    const now = stateFromRanges(res.responses[0]!.response_range, res.responses[1]!.response_range, item.address);
    remember(root, key, now);
    if (now.version >= item.version) return "stale";
    guess = now;
  }
  throw new Error(`fenced publish of ${key} kept losing races`);
}

/**
 * Publishes a batch. Items for the same key collapse to the highest version (the others are
 * superseded, which is "stale" in effect). Keys whose state this process knows go out together,
 * MULTI_KEYS to a transaction that fences every one of them (one round trip and one raft entry
 * instead of one each); if any compare fails, the failed transaction's else branch returns every
 * key's real state and each key is retried alone from it (publishFenced). Keys with no usable
 * guess take publishFenced's read-first path directly.
 */
export async function publishMany(root: Namespace, items: PublishItem[]): Promise<PublishOutcome[]> {
  const newest = new Map<string, PublishItem>();
  for (const item of items) {
    const k = flagKey(item.address);
    const cur = newest.get(k);
    if (!cur || cur.version < item.version) newest.set(k, item);
  }
  const results = new Map<PublishItem, PublishOutcome>();
  const single: PublishItem[] = [];
  const grouped: { item: PublishItem; key: string; state: KnownState; written: string }[] = [];
  for (const [key, item] of newest) {
    const state = knownFor(root).get(key) ?? NOTHING;
    if (state.version >= item.version) single.push(item);
    else grouped.push({ item, key, state, written: JSON.stringify(item.op === "put" ? item.document : item.tombstone) });
  }
  const chunks: (typeof grouped)[] = [];
  for (let i = 0; i < grouped.length; i += MULTI_KEYS) chunks.push(grouped.slice(i, i + MULTI_KEYS));
  await Promise.all([
    ...single.map(async (item) => results.set(item, await publishFenced(root, item))),
    ...chunks.map(async (chunk) => {
      if (chunk.length === 1) return results.set(chunk[0]!.item, await publishFenced(root, chunk[0]!.item));
      let txn: Guarded | null = null;
      for (const g of chunk) txn = addGuards(txn, root, g.item.address, g.state);
      const res = await txn!
        .then(...chunk.flatMap((g) => writeOps(root, g.item, g.state, g.written)))
        .else(...chunk.flatMap((g) => [root.get(g.key), root.get(tombstoneKey(g.item.address))]))
        .commit();
      if (res.succeeded) {
        const rev = Number(res.header.revision);
        for (const g of chunk) {
          remember(root, g.key, writtenState(g.item, g.written, rev));
          results.set(g.item, "applied");
        }
        return;
      }
      await Promise.all(
        chunk.map(async (g, i) => {
          const now = stateFromRanges(res.responses[2 * i]!.response_range, res.responses[2 * i + 1]!.response_range, g.item.address);
          remember(root, g.key, now);
          results.set(g.item, now.version >= g.item.version ? "stale" : await publishFenced(root, g.item));
        }),
      );
    }),
  ]);
  return items.map((item) => results.get(item) ?? "stale");
}

/**
 * Keys per multi-key transaction. etcd refuses a transaction with more than --max-txn-ops (128 by
 * default) compares or operations; a key needs at most 4 compares and 2 reads in the else branch.
 */
const MULTI_KEYS = 32;

function writtenState(item: PublishItem, raw: string, rev: number): KnownState {
  return item.op === "put"
    ? { documentMod: rev, documentRaw: raw, tombstoneMod: 0, tombstoneRaw: null, version: item.version }
    : { documentMod: 0, documentRaw: null, tombstoneMod: rev, tombstoneRaw: raw, version: item.version };
}

/**
 * Reconciler repair for same-version drift: rewrites the document only while etcd still holds
 * exactly `expected.version`, so a newer in-flight publish is never undone.
 */
export async function rewriteSameVersion(root: Namespace, address: FlagAddress, expected: PublishedDocument): Promise<boolean> {
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
