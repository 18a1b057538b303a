import type { Namespace } from "etcd3";
import type { FlagDocument, SegmentDocument } from "../../flags/document";
import type { Scope } from "./scope";

/**
 * One change the watch hub saw, in the form the SDK stream sends it. `revision` is the etcd
 * revision (the SSE event id). `frame` caches the encoded SSE bytes: an event's frame does not
 * depend on who receives it, so it is encoded once per event, however many streams carry it.
 */
interface HubEventBase {
  revision: number;
  environment: string;
  namespace: string;
  key: string;
  version: number;
  /** Commit time in ms since the epoch (document updatedAt / tombstone deletedAt), NaN if unknown. */
  committedAtMs: number;
  frame: Buffer | null;
}

export interface PutEvent extends HubEventBase {
  type: "put";
  doc: FlagDocument;
}

export interface DeleteEvent extends HubEventBase {
  type: "delete";
}

/** A namespace's segment changed (issue 14); `key` is the segment key. */
export interface SegmentEvent extends HubEventBase {
  type: "segment";
  doc: SegmentDocument;
}

/** A segment was deleted; `key` is the segment key. */
export interface SegmentDeleteEvent extends HubEventBase {
  type: "segment-delete";
}

export type HubEvent = PutEvent | DeleteEvent | SegmentEvent | SegmentDeleteEvent;

/** A flag as the snapshot lists it (`targeting` only when the flag has rules). */
export interface SnapshotFlag {
  namespace: string;
  key: string;
  type: FlagDocument["type"];
  value: unknown;
  version: number;
  targeting?: FlagDocument["targeting"];
}

/** A segment as the snapshot lists it. */
export interface SnapshotSegment {
  namespace: string;
  key: string;
  name?: string;
  constraints: unknown[];
  version: number;
}

/**
 * The state one scope sees at `revision`. Shared by every client of the scope at that revision;
 * `json` and `frame` are filled in lazily, once.
 */
export interface ScopeSnapshot {
  revision: number;
  environment: string;
  flags: SnapshotFlag[];
  /** The segments of the scope's namespaces in its environment. */
  segments: SnapshotSegment[];
  /** Highest revision that changed anything in this scope (drives the /flags ETag). */
  lastChange: number;
  scope: Scope;
  json: string | null;
  frame: Buffer | null;
}

/** A hub subscriber. Callbacks run synchronously inside the hub's fan-out and must never block. */
export interface HubSubscriber {
  readonly scope: Scope;
  /** Events of one etcd watch response, in revision order, already limited to the environment. */
  onEvents(events: readonly HubEvent[]): void;
  /** The hub lost continuity (compaction, etcd replaced) and rebuilt its state: send a snapshot. */
  onResync(): void;
}

/** How a subscription starts: replay of what was missed, or a full snapshot. */
export type SubscribeStart =
  | { kind: "replay"; events: HubEvent[]; revision: number }
  | { kind: "snapshot"; snapshot: ScopeSnapshot };

export type HubLog = (level: "info" | "warn" | "error", msg: string, err?: unknown) => void;

export interface WatchHubOptions {
  root: Namespace;
  /** Recent events kept for Last-Event-ID replay. */
  ringSize?: number;
  /** Distinct scopes whose current snapshot stays encoded in memory. */
  snapshotCacheSize?: number;
  /** How often to check that the watch still delivers (0 disables). */
  livenessCheckMs?: number;
  log?: HubLog;
}

export interface WatchHubStats {
  ready: boolean;
  watching: boolean;
  revision: number;
  etcdRevision: number;
  ringFloor: number;
  ringSize: number;
  flags: number;
  subscribers: number;
  resyncs: number;
  /** Times the liveness check found the watch stuck and restarted it. */
  watchRestarts: number;
  /** Duration of the last fan-out of a watch response to every subscriber (ms). */
  lastFanOutMs: number;
}
