import { KEY_PATTERN } from "../validation/common";

/**
 * Layout under the MizuFlow prefix:
 *   flags/{environment}/{namespace}/{flagKey}       the served document (see flags/document.ts)
 *   tombstones/{environment}/{namespace}/{flagKey}  the Tombstone ({"namespace","key","version",
 *                                                    "deletedAt"}) of the delete that removed it
 *   segments/{environment}/{namespace}/{segmentKey}  a namespace's segment, one copy per environment
 *                                                    (schema segment.v1, flags/document.ts)
 *   segment-tombstones/{environment}/{namespace}/{segmentKey}  the Tombstone of a deleted segment
 *   election/worker/{leaseId}                        leader election among workers (one key per
 *                                                    candidate, bound to its lease; value: its id)
 *   presence/{processId}                             SDK clients reported to one stream-serving
 *                                                    process (lib/delivery/presence/presence-publisher.ts),
 *                                                    bound to that process's short lease
 * A tombstone keeps the version of a deleted key, so a late publish of an older version cannot
 * bring the key back (the fence compares against it). docs/ARCHITECTURE.md, "etcd key layout".
 */
export const FLAGS_DIR = "flags/";
export const TOMBSTONES_DIR = "tombstones/";
export const SEGMENTS_DIR = "segments/";
export const SEGMENT_TOMBSTONES_DIR = "segment-tombstones/";
export const ELECTION_NAME = "election/worker";
export const PRESENCE_DIR = "presence/";

/** Process ids are generated (random UUIDs), but checked anyway: they become one path segment. */
const PROCESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function presenceKey(processId: string): string {
  if (!PROCESS_ID.test(processId)) throw new Error(`Invalid process id for an etcd key: ${JSON.stringify(processId)}`);
  return PRESENCE_DIR + processId;
}

/**
 * One published key: a flag in an environment, or (kind "segment") a namespace's segment in an
 * environment. Both are fenced the same way (etcd/fence.ts), each against its own tombstone.
 */
export interface FlagAddress {
  environment: string;
  namespace: string;
  key: string;
  kind?: "segment";
}

function assertSegment(s: string, what: string): void {
  if (!KEY_PATTERN.test(s)) throw new Error(`Invalid ${what} for an etcd key: ${JSON.stringify(s)}`);
}

export function flagPath(a: FlagAddress): string {
  assertSegment(a.environment, "environment");
  assertSegment(a.namespace, "namespace");
  assertSegment(a.key, "flag key");
  return `${a.environment}/${a.namespace}/${a.key}`;
}

/** The document key of an address (flags/... or, for a segment, segments/...). */
export const flagKey = (a: FlagAddress) => (a.kind === "segment" ? SEGMENTS_DIR : FLAGS_DIR) + flagPath(a);
/** The tombstone key of an address (tombstones/... or segment-tombstones/...). */
export const tombstoneKey = (a: FlagAddress) => (a.kind === "segment" ? SEGMENT_TOMBSTONES_DIR : TOMBSTONES_DIR) + flagPath(a);

/** A document key (flags/... or segments/...) back to its address; null for anything else. */
export function parseDocumentKey(etcdKey: string): FlagAddress | null {
  if (etcdKey.startsWith(FLAGS_DIR)) return parseFlagPath(etcdKey.slice(FLAGS_DIR.length));
  if (!etcdKey.startsWith(SEGMENTS_DIR)) return null;
  const a = parseFlagPath(etcdKey.slice(SEGMENTS_DIR.length));
  return a && { ...a, kind: "segment" };
}

/** Parses `{env}/{ns}/{key}` (relative to flags/ or tombstones/); null for anything else. */
export function parseFlagPath(path: string): FlagAddress | null {
  const parts = path.split("/");
  if (parts.length !== 3) return null;
  const [environment, namespace, key] = parts as [string, string, string];
  if (![environment, namespace, key].every((p) => KEY_PATTERN.test(p))) return null;
  return { environment, namespace, key };
}
