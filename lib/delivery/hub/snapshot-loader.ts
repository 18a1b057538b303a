import type { Namespace } from "etcd3";
import { FLAGS_DIR, SEGMENTS_DIR, SEGMENT_TOMBSTONES_DIR, TOMBSTONES_DIR, parseFlagPath } from "../../etcd/keys";
import { parseDocument, parseSegmentDocument } from "../../flags/document";
import { HubState } from "./hub-state";

/**
 * Reads every flag document and tombstone at one revision R (paged, every page pinned to R) and
 * builds the hub state. Watching from R+1 afterwards misses nothing and repeats nothing.
 * A compaction between pages makes the read fail; the caller retries from scratch.
 */
const PAGE = 1000;

export async function loadSnapshot(root: Namespace, onInvalid: (key: string) => void = () => {}): Promise<{ revision: number; state: HubState }> {
  const state = new HubState();
  const revision = await readPrefix(root, FLAGS_DIR, 0, (key, value, mod) => {
    const addr = parseFlagPath(key.slice(FLAGS_DIR.length));
    if (!addr) return;
    const parsed = parseDocument(value);
    if (!parsed) return onInvalid(key);
    const doc =
      parsed.namespace === addr.namespace && parsed.key === addr.key ? parsed : { ...parsed, namespace: addr.namespace, key: addr.key };
    state.put(addr.environment, doc, mod);
  });
  await readPrefix(root, TOMBSTONES_DIR, revision, (key, _value, mod) => {
    const addr = parseFlagPath(key.slice(TOMBSTONES_DIR.length));
    if (addr) state.touch(addr.environment, addr.namespace, mod);
  });
  // Segments (issue 14), at the same revision R.
  await readPrefix(root, SEGMENTS_DIR, revision, (key, value, mod) => {
    const addr = parseFlagPath(key.slice(SEGMENTS_DIR.length));
    if (!addr) return;
    const parsed = parseSegmentDocument(value);
    if (!parsed) return onInvalid(key);
    state.putSegment(addr.environment, { ...parsed, namespace: addr.namespace, key: addr.key }, mod);
  });
  await readPrefix(root, SEGMENT_TOMBSTONES_DIR, revision, (key, _value, mod) => {
    const addr = parseFlagPath(key.slice(SEGMENT_TOMBSTONES_DIR.length));
    if (addr) state.touch(addr.environment, addr.namespace, mod);
  });
  return { revision, state };
}

/** Pages through `prefix` at revision `at` (0: the current one). Returns the revision read at. */
async function readPrefix(
  root: Namespace,
  prefix: string,
  at: number,
  each: (key: string, value: string, modRevision: number) => void,
): Promise<number> {
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  let start = prefix;
  for (;;) {
    const q = root.getAll().inRange({ start, end }).limit(PAGE);
    const res = await (at ? q.revision(at) : q).exec();
    if (!at) at = Number(res.header.revision);
    for (const kv of res.kvs) each(kv.key.toString("utf8"), kv.value.toString("utf8"), Number(kv.mod_revision));
    if (!res.more || res.kvs.length === 0) return at;
    start = res.kvs[res.kvs.length - 1]!.key.toString("utf8") + "\0";
  }
}
