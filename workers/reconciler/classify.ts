import type { PublishItem } from "../../lib/etcd/fence";
import { sameContent } from "../../lib/flags/document";
import { actualVersion, type ActualKey } from "./etcd-snapshot";

export const REPAIR_KINDS = ["missing", "stale", "drift", "orphan", "tombstone"] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

/**
 * ok: etcd matches. ahead: etcd holds a newer version than MySQL (never touched: it may be a publish
 * of a commit we have not read yet, or something only a human should judge). Otherwise the kind of
 * repair needed:
 *   missing   - no document where one should be served
 *   stale     - etcd holds an older version (document or tombstone)
 *   drift     - same version, different content (or served where it should be deleted, or vice versa)
 *   tombstone - a deleted/archived flag whose tombstone is missing or older (fence information lost)
 *   orphan    - a document for a key MySQL does not have at all (decided by the caller, not here)
 */
export type Verdict = { kind: "ok" } | { kind: "ahead" } | { kind: Exclude<RepairKind, "orphan"> };

export function classify(want: PublishItem, a: ActualKey | undefined): Verdict {
  const have = actualVersion(a);
  const hasDoc = a?.docRaw != null;
  if (have > want.version) return { kind: "ahead" };
  if (want.op === "put") {
    if (have < want.version) return { kind: hasDoc ? "stale" : "missing" };
    if (a?.doc && a.doc.version === want.version) return sameContent(a.doc, want.document) ? { kind: "ok" } : { kind: "drift" };
    return { kind: "drift" }; // the version is held by a tombstone, or by a document we cannot parse
  }
  if (have < want.version) return { kind: hasDoc ? "stale" : "tombstone" };
  return hasDoc ? { kind: "drift" } : { kind: "ok" };
}
