import { Range, type Namespace } from "etcd3";
import { FLAGS_DIR, TOMBSTONES_DIR, parseFlagPath } from "../../lib/etcd/keys";
import { parseDocument, parseTombstone, type PublishedDocument, type Tombstone } from "../../lib/flags/document";
import { withTimeout } from "../support/timing";

/** What etcd holds for one flag path ({env}/{ns}/{key}) at the snapshot revision. */
export interface ActualKey {
  docRaw: string | null;
  /** null if absent or unparsable (then docRaw is set). */
  doc: PublishedDocument | null;
  docMod: number;
  tomb: Tombstone | null;
  tombMod: number;
}

export interface EtcdSnapshot {
  revision: number;
  /** Keyed by flag path `{env}/{ns}/{key}`. */
  keys: Map<string, ActualKey>;
  /** Keys under flags/ that do not follow the layout (reported, never guessed at). */
  unparsable: string[];
}

export const emptyActual = (): ActualKey => ({ docRaw: null, doc: null, docMod: 0, tomb: null, tombMod: 0 });

/** The version etcd holds for a key: its document's, else its tombstone's, else 0 (as the fence sees it). */
export const actualVersion = (a: ActualKey | undefined) => Math.max(a?.doc?.version ?? 0, a?.tomb?.version ?? 0);

/**
 * Range-reads flags/ and tombstones/ page by page, every page at the revision of the first one, so
 * the result is one consistent point in etcd's history however many keys there are, and no single
 * response grows past gRPC's message limit.
 */
export async function readEtcdSnapshot(root: Namespace, opts: { pageSize?: number; timeoutMs?: number } = {}): Promise<EtcdSnapshot> {
  const pageSize = opts.pageSize ?? 2_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const keys = new Map<string, ActualKey>();
  const unparsable: string[] = [];
  let revision: number | undefined;
  const entry = (path: string) => {
    let e = keys.get(path);
    if (!e) keys.set(path, (e = emptyActual()));
    return e;
  };
  for (const dir of [FLAGS_DIR, TOMBSTONES_DIR]) {
    const end = Range.prefix(dir).end;
    let start = Buffer.from(dir);
    for (;;) {
      const q = root.getAll().inRange(new Range(start, end)).limit(pageSize);
      if (revision !== undefined) q.revision(revision);
      const res = await withTimeout(q.exec(), timeoutMs, `etcd range ${dir}`);
      revision ??= Number(res.header.revision);
      for (const kv of res.kvs) {
        const rel = kv.key.toString("utf8").slice(dir.length);
        const raw = kv.value.toString("utf8");
        if (!parseFlagPath(rel)) {
          if (dir === FLAGS_DIR) unparsable.push(kv.key.toString("utf8"));
          continue;
        }
        const e = entry(rel);
        if (dir === FLAGS_DIR) {
          e.docRaw = raw;
          e.doc = parseDocument(raw);
          e.docMod = Number(kv.mod_revision);
        } else {
          e.tomb = parseTombstone(raw);
          e.tombMod = Number(kv.mod_revision);
        }
      }
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) break;
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }
  return { revision: revision ?? 0, keys, unparsable };
}
