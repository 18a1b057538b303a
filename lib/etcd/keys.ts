import { KEY_PATTERN } from "../validation/common";

/**
 * Layout under the MizuFlow prefix:
 *   flags/{environment}/{namespace}/{flagKey}       the served document (see flags/document.ts)
 *   tombstones/{environment}/{namespace}/{flagKey}  {"version":n} of the delete that removed it
 *   election/worker                                  leader election among workers
 *   presence/{processId}                             SDK clients reported to one stream-serving
 *                                                    process (lib/delivery/presence-publisher.ts),
 *                                                    bound to that process's short lease
 * A tombstone keeps the version of a deleted key, so a late publish of an older version cannot
 * bring the key back (the fence compares against it).
 */
export const FLAGS_DIR = "flags/";
export const TOMBSTONES_DIR = "tombstones/";
export const ELECTION_NAME = "election/worker";
export const PRESENCE_DIR = "presence/";

/** Process ids are generated (random UUIDs), but checked anyway: they become one path segment. */
const PROCESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function presenceKey(processId: string): string {
  if (!PROCESS_ID.test(processId)) throw new Error(`Invalid process id for an etcd key: ${JSON.stringify(processId)}`);
  return PRESENCE_DIR + processId;
}

export interface FlagAddress {
  environment: string;
  namespace: string;
  key: string;
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

export const flagKey = (a: FlagAddress) => FLAGS_DIR + flagPath(a);
export const tombstoneKey = (a: FlagAddress) => TOMBSTONES_DIR + flagPath(a);

/** Parses `{env}/{ns}/{key}` (relative to flags/ or tombstones/); null for anything else. */
export function parseFlagPath(path: string): FlagAddress | null {
  const parts = path.split("/");
  if (parts.length !== 3) return null;
  const [environment, namespace, key] = parts as [string, string, string];
  if (![environment, namespace, key].every((p) => KEY_PATTERN.test(p))) return null;
  return { environment, namespace, key };
}
