import type { WireTargeting } from "./local-eval/wire";

export type { EvaluationContext } from "./targeting/context";
export type { SegmentEntry, WireConstraint, WireTargeting } from "./local-eval/wire";

/**
 * Public types of the MizuFlow SDK. Nothing here depends on Node, the DOM or Next.js, so the same
 * definitions serve the Node entry (`./node`), the browser entry (`./index`) and the OpenFeature
 * providers.
 */

export type FlagType = "boolean" | "string" | "number" | "json";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One flag as the stream serves it, for the environment the SDK key is bound to. */
export interface FlagEntry {
  namespace: string;
  key: string;
  type: FlagType;
  value: JsonValue;
  /** MySQL's per-(flag, environment) version; never goes backwards for a key in this SDK. */
  version: number;
  /**
   * Rules, variants, prerequisites, on/off (docs/TARGETING.md); absent = none: every context gets
   * `value`. The same `version` covers value and targeting.
   */
  targeting?: WireTargeting;
}

/**
 * - `connecting`: started, nothing to serve yet.
 * - `ready`: connected to the stream and in sync with the server.
 * - `stale`: serving values (a local snapshot, or the last live state) while not connected.
 * - `error`: the key was refused (401/403), or nothing to serve and the server is unreachable.
 *   The client keeps retrying in every state until `close()`.
 */
export type ClientState = "connecting" | "ready" | "stale" | "error" | "closed";

/** Where an applied update came from. `local` is the persisted snapshot loaded at start. */
export type UpdateSource = "snapshot" | "put" | "delete" | "segment" | "segment-delete" | "local";

export interface FlagChange {
  namespace: string;
  key: string;
  /** The flag's type after the change (before it, for a removal). */
  type: FlagType;
  /** `undefined` when the flag did not exist before. */
  oldValue: JsonValue | undefined;
  /** `undefined` when the flag was removed (deleted, or absent from a new snapshot). */
  newValue: JsonValue | undefined;
  oldVersion: number | undefined;
  newVersion: number | undefined;
  /** The stream revision (etcd revision) of the event or snapshot that carried the change. */
  revision: number;
  source: UpdateSource;
  /**
   * Set when a segment's change (or removal) is the cause: the flag's value and version are the
   * same, but what its rules give a context may differ.
   */
  segment?: string;
  /**
   * Set when the change of a flag this one names as a prerequisite (directly or through another
   * prerequisite) is the cause: the key of the flag that changed. Value and version are the same.
   */
  prerequisite?: string;
}

/** Emitted once per applied event or snapshot that changed at least one flag. */
export interface UpdateEvent {
  revision: number;
  source: UpdateSource;
  changes: FlagChange[];
}

export interface StateEvent {
  state: ClientState;
  previous: ClientState;
  /** Why, in words (for logs); e.g. "stream refused with HTTP 401". */
  reason?: string;
}

/** Same vocabulary as OpenFeature, so the providers pass them through. */
export type ResolutionReason = "STATIC" | "CACHED" | "DEFAULT" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "ERROR";
export type ResolutionErrorCode = "FLAG_NOT_FOUND" | "TYPE_MISMATCH" | "PROVIDER_NOT_READY" | "PARSE_ERROR" | "GENERAL";

export interface Resolution<T> {
  value: T;
  /**
   * STATIC: the live value of a flag without rules. CACHED: that value served while not in sync
   * (local snapshot, or the last live state while reconnecting). TARGETING_MATCH: a rule's value
   * (`ruleIndex`). SPLIT: a rule's weighted variant (`variant`, `ruleIndex`). DEFAULT: the flag's
   * environment value because no rule matched, or the caller's default with an `errorCode` (flag
   * not found, nothing loaded yet). DISABLED: the flag is off, or a prerequisite does not hold
   * (its `offValue`). ERROR: the caller's default, with `errorCode` (another type, unreadable
   * targeting, an evaluation failure).
   */
  reason: ResolutionReason;
  errorCode?: ResolutionErrorCode;
  errorMessage?: string;
  /** The flag's version when it was found. */
  version?: number;
  flagType?: FlagType;
  /** The variant served (reason SPLIT). */
  variant?: string;
  /** The variant's Unleash-style payload, when it has one. */
  payload?: { type: string; value: string };
  /** Index of the rule that decided (TARGETING_MATCH, SPLIT). */
  ruleIndex?: number;
}

export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info?(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export interface ClientEvents {
  change: FlagChange;
  update: UpdateEvent;
  state: StateEvent;
}
