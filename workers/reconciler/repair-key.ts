import type { Namespace } from "etcd3";
import { publishFenced, readKeyState, removeUnknownKey, rewriteSameVersion, type KeyState, type PublishItem } from "../../lib/etcd/fence";
import { flagKey, tombstoneKey, type FlagAddress } from "../../lib/etcd/keys";
import type { PublishedDocument } from "../../lib/flags/document";
import { classify, type RepairKind } from "./classify";
import type { ActualKey } from "./etcd-snapshot";

export type RepairResult =
  | { outcome: "repaired"; kind: RepairKind; after: { document: unknown; tombstone: unknown } }
  | { outcome: "ok" | "ahead" | "raced"; kind?: RepairKind };

/**
 * Repairs one key towards `want` (MySQL's fresh state; null: MySQL has no such key at all). Every
 * write is conditional on what etcd holds, so a newer publish that lands meanwhile is never undone:
 * older/missing -> fenced publish; same version, other content -> rewrite only while that exact
 * version is still there; unknown key -> removed only if unchanged since the snapshot (a tombstone
 * keeps its version for the fence). Anything that changed underneath reports "raced" and is left for
 * the next pass.
 */
export async function repairKey(root: Namespace, address: FlagAddress, want: PublishItem | null, seen: ActualKey): Promise<RepairResult> {
  if (want === null) {
    if (!seen.docRaw) return { outcome: "ok" };
    return done(root, address, "orphan", await removeUnknownKey(root, address, seen.docMod));
  }
  const verdict = classify(want, seen);
  if (verdict.kind === "ok" || verdict.kind === "ahead") return { outcome: verdict.kind };
  const kind = verdict.kind;
  if (kind !== "drift") return done(root, address, kind, (await publishFenced(root, want)) === "applied");
  if (want.op === "delete") return done(root, address, kind, await removeUnknownKey(root, address, seen.docMod));
  if (seen.doc && seen.doc.version === want.version) return done(root, address, kind, await rewriteSameVersion(root, address, want.document));
  return done(root, address, kind, await replaceAtSameVersion(root, address, want.document, seen));
}

async function done(root: Namespace, address: FlagAddress, kind: RepairKind, applied: boolean): Promise<RepairResult> {
  if (!applied) return { outcome: "raced", kind };
  const s = await readKeyState(root, address);
  return { outcome: "repaired", kind, after: { document: s.document ?? s.documentRaw, tombstone: s.tombstone } };
}

/**
 * Same-version drift that rewriteSameVersion cannot express: the version is held by a tombstone (or
 * an unparsable document) while MySQL serves a document at that version. Writes the document and
 * drops the tombstone, only while both keys are exactly as the snapshot saw them and etcd's version
 * is still the wanted one.
 */
async function replaceAtSameVersion(root: Namespace, address: FlagAddress, doc: PublishedDocument, seen: ActualKey): Promise<boolean> {
  const live: KeyState = await readKeyState(root, address);
  if (live.version !== doc.version || live.documentMod !== seen.docMod || live.tombstoneMod !== seen.tombMod) return false;
  const dk = flagKey(address);
  const tk = tombstoneKey(address);
  const txn = live.documentMod ? root.if(dk, "Mod", "==", live.documentMod) : root.if(dk, "Create", "==", 0);
  const guarded = live.tombstoneMod ? txn.and(tk, "Mod", "==", live.tombstoneMod) : txn.and(tk, "Create", "==", 0);
  const ops = [root.put(dk).value(JSON.stringify(doc))];
  const res = await guarded.then(...(live.tombstoneMod ? [...ops, root.delete().key(tk)] : ops)).commit();
  return res.succeeded;
}
