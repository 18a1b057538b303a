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
export type UpdateSource = "snapshot" | "put" | "delete" | "local";

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
export type ResolutionReason = "STATIC" | "CACHED" | "DEFAULT" | "ERROR";
export type ResolutionErrorCode = "FLAG_NOT_FOUND" | "TYPE_MISMATCH" | "PROVIDER_NOT_READY";

export interface Resolution<T> {
  value: T;
  /**
   * STATIC: the live value. CACHED: a value served while not in sync (local snapshot, or the
   * last live state while reconnecting). DEFAULT: the caller's default (flag not found, or nothing
   * loaded yet). ERROR: the caller's default because the flag has another type.
   */
  reason: ResolutionReason;
  errorCode?: ResolutionErrorCode;
  errorMessage?: string;
  /** The flag's version when it was found. */
  version?: number;
  flagType?: FlagType;
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
