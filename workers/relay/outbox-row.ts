import type { PublishItem } from "../../lib/etcd/fence";
import { parseDocumentKey } from "../../lib/etcd/keys";
import { FlagDocumentSchema, SegmentDocumentSchema, TombstoneSchema, type FlagDocument, type SegmentDocument } from "../../lib/flags/document";
import type { outboxEvents } from "../../lib/db/schema";

export type OutboxRow = typeof outboxEvents.$inferSelect;

export type RowItem = { ok: true; item: PublishItem } | { ok: false; error: string };

/**
 * Rebuilds the PublishItem an outbox row promises. A row that cannot be rebuilt (a key outside the
 * layout, a payload that is not a valid document or tombstone, or one that disagrees with the row's
 * own key/version) is this row's own fault: it is retried and eventually dead-lettered, never
 * published half-understood.
 */
export function rowToItem(row: Pick<OutboxRow, "etcdKey" | "op" | "version" | "payload">): RowItem {
  // flags/{env}/{ns}/{key}, or a segment's segments/{env}/{ns}/{key} (issue 14): fenced alike.
  const address = parseDocumentKey(row.etcdKey);
  if (!address) return { ok: false, error: `etcd_key ${JSON.stringify(row.etcdKey)} is not flags/{env}/{ns}/{key} or segments/{env}/{ns}/{key}` };
  const mismatch = (p: { namespace: string; key: string; version: number }) =>
    p.namespace !== address.namespace || p.key !== address.key || p.version !== row.version
      ? `payload (${p.namespace}/${p.key} v${p.version}) does not match the row (${address.namespace}/${address.key} v${row.version})`
      : null;
  if (row.op === "put") {
    const segment = address.kind === "segment";
    const parsed = (segment ? SegmentDocumentSchema : FlagDocumentSchema).safeParse(row.payload);
    if (!parsed.success) return { ok: false, error: `payload is not a ${segment ? "segment" : "flag"} document: ${parsed.error.issues[0]?.message ?? "invalid"}` };
    const document = parsed.data as FlagDocument | SegmentDocument;
    const bad = mismatch(document);
    return bad ? { ok: false, error: bad } : { ok: true, item: { op: "put", address, version: row.version, document } };
  }
  if (row.op === "delete") {
    const parsed = TombstoneSchema.safeParse(row.payload);
    if (!parsed.success) return { ok: false, error: `payload is not a tombstone: ${parsed.error.issues[0]?.message ?? "invalid"}` };
    const bad = mismatch(parsed.data);
    return bad ? { ok: false, error: bad } : { ok: true, item: { op: "delete", address, version: row.version, tombstone: parsed.data } };
  }
  return { ok: false, error: `unknown op ${JSON.stringify(row.op)}` };
}
