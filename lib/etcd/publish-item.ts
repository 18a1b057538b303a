import type { PublishedDocument } from "../flags/document";
import type { PublishItem } from "./fence";
import type { FlagAddress } from "./keys";

/**
 * What etcd should hold for an address at a version: the document, or, when there is none (no
 * longer served), a tombstone that keeps the version, so an older publish arriving later is stale.
 */
export function publishItem(address: FlagAddress, version: number, at: Date, document: PublishedDocument | null): PublishItem {
  if (document) return { op: "put", address, version, document };
  const tombstone = { namespace: address.namespace, key: address.key, version, deletedAt: at.toISOString() };
  return { op: "delete", address, version, tombstone };
}
