import type { IEvent } from "etcd3";
import { FLAGS_DIR, SEGMENTS_DIR, SEGMENT_TOMBSTONES_DIR, TOMBSTONES_DIR, parseFlagPath } from "../../etcd/keys";
import { parseDocument, parseSegmentDocument, parseTombstone, type FlagDocument, type SegmentDocument, type Tombstone } from "../../flags/document";
import type { HubEvent } from "./hub-types";
import type { HubState } from "./hub-state";

/**
 * Turns the raw etcd events of one watch response into SDK events and applies them to `state`.
 *
 * The fence deletes a flag as one transaction: delete `flags/...` and put `tombstones/...`, both at
 * the same revision. So events are taken a revision at a time; a flag delete takes its version
 * from the tombstone written at that revision, or (a raw delete, e.g. by hand with etcdctl) from
 * the document it removed. A put of a flag deletes its tombstone in the same transaction; tombstone
 * deletes carry no information and are skipped. Anything outside flags/ and tombstones/ is ignored.
 *
 * Namespace and key always come from the etcd path, never from the document body: scope filtering
 * uses them, so a document claiming another namespace cannot leak into a foreign scope.
 *
 * Segments (issue 14: segments/ and segment-tombstones/) are translated the same way into `segment`
 * and `segment-delete` events. Within one revision segment events come first, so a client applying
 * one etcd transaction in order never evaluates a rule before the segment it names arrives.
 */
export interface Translated {
  events: HubEvent[];
  /** Highest mod_revision among the raw events (0 if none). */
  maxRevision: number;
}

export function applyWatchEvents(state: HubState, raw: readonly IEvent[], onInvalid: (key: string) => void = () => {}): Translated {
  const events: HubEvent[] = [];
  let maxRevision = 0;
  for (let i = 0; i < raw.length; ) {
    const revision = Number(raw[i]!.kv.mod_revision);
    let j = i;
    const tombstones = new Map<string, Tombstone>();
    const segmentTombstones = new Map<string, Tombstone>();
    while (j < raw.length && Number(raw[j]!.kv.mod_revision) === revision) {
      const ev = raw[j]!;
      const key = ev.kv.key.toString("utf8");
      const dir = key.startsWith(TOMBSTONES_DIR) ? TOMBSTONES_DIR : key.startsWith(SEGMENT_TOMBSTONES_DIR) ? SEGMENT_TOMBSTONES_DIR : null;
      if (ev.type === "Put" && dir) {
        const path = key.slice(dir.length);
        const addr = parseFlagPath(path);
        const tomb = parseTombstone(ev.kv.value.toString("utf8"));
        if (addr) state.touch(addr.environment, addr.namespace, revision);
        if (addr && tomb) (dir === TOMBSTONES_DIR ? tombstones : segmentTombstones).set(path, tomb);
      }
      j++;
    }
    for (let k = i; k < j; k++) {
      const ev = raw[k]!;
      const key = ev.kv.key.toString("utf8");
      if (!key.startsWith(SEGMENTS_DIR)) continue;
      const path = key.slice(SEGMENTS_DIR.length);
      const addr = parseFlagPath(path);
      if (!addr) continue;
      const { environment, namespace, key: segmentKey } = addr;
      if (ev.type === "Put") {
        const parsed = parseSegmentDocument(ev.kv.value.toString("utf8"));
        if (!parsed) {
          onInvalid(key);
          continue;
        }
        const doc: SegmentDocument = parsed.namespace === namespace && parsed.key === segmentKey ? parsed : { ...parsed, namespace, key: segmentKey };
        state.putSegment(environment, doc, revision);
        events.push({ type: "segment", revision, environment, namespace, key: segmentKey, version: doc.version, committedAtMs: Date.parse(doc.updatedAt), doc, frame: null });
      } else {
        const old = state.removeSegment(environment, namespace, segmentKey, revision);
        const tomb = segmentTombstones.get(path);
        events.push({
          type: "segment-delete",
          revision,
          environment,
          namespace,
          key: segmentKey,
          version: tomb?.version ?? old?.version ?? 0,
          committedAtMs: tomb ? Date.parse(tomb.deletedAt) : Number.NaN,
          frame: null,
        });
      }
    }
    for (let k = i; k < j; k++) {
      const ev = raw[k]!;
      const key = ev.kv.key.toString("utf8");
      if (!key.startsWith(FLAGS_DIR)) continue;
      const path = key.slice(FLAGS_DIR.length);
      const addr = parseFlagPath(path);
      if (!addr) continue;
      const { environment, namespace, key: flagKey } = addr;
      if (ev.type === "Put") {
        const parsed = parseDocument(ev.kv.value.toString("utf8"));
        if (!parsed) {
          // Not servable; keep serving the last valid document until the reconciler repairs it.
          onInvalid(key);
          continue;
        }
        const doc: FlagDocument =
          parsed.namespace === namespace && parsed.key === flagKey ? parsed : { ...parsed, namespace, key: flagKey };
        state.put(environment, doc, revision);
        events.push({
          type: "put",
          revision,
          environment,
          namespace,
          key: flagKey,
          version: doc.version,
          committedAtMs: Date.parse(doc.updatedAt),
          doc,
          frame: null,
        });
      } else {
        const old = state.remove(environment, namespace, flagKey, revision);
        const tomb = tombstones.get(path);
        events.push({
          type: "delete",
          revision,
          environment,
          namespace,
          key: flagKey,
          version: tomb?.version ?? old?.version ?? 0,
          committedAtMs: tomb ? Date.parse(tomb.deletedAt) : Number.NaN,
          frame: null,
        });
      }
    }
    maxRevision = Math.max(maxRevision, revision);
    i = j;
  }
  return { events, maxRevision };
}
