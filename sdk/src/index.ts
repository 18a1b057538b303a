/**
 * MizuFlow SDK, universal entry (browsers, workers, any runtime with a global EventSource).
 * Node applications import from `./node` instead, which adds eventsource v4 (Authorization header)
 * and the file-backed local snapshot without pulling node:fs into browser bundles.
 */
export { createClient, streamUrl, type ClientOptions, type MizuFlowClient, type ReadyOptions } from "./client";
export { localStorageSnapshotStore, type SnapshotStore } from "./snapshot-store";
export type { EventSourceConstructor, EventSourceLike } from "./stream-connection";
export type { TargetingEngine } from "./local-eval/engine-port";
export type {
  ClientEvents,
  ClientState,
  EvaluationContext,
  FlagChange,
  FlagEntry,
  FlagType,
  JsonValue,
  Logger,
  Resolution,
  ResolutionErrorCode,
  ResolutionReason,
  SegmentEntry,
  StateEvent,
  UpdateEvent,
  UpdateSource,
  WireConstraint,
  WireTargeting,
} from "./types";
