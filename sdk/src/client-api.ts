import type { SnapshotStore } from "./snapshot-store";
import type { FetchFn } from "./sse-fetch";
import type { EventSourceConstructor } from "./stream-connection";
import type { ClientEvents, ClientState, FlagEntry, FlagType, JsonValue, Logger, Resolution } from "./types";

/** The client's public surface: its options and the `MizuFlowClient` interface (client.ts implements it). */
export interface ClientOptions {
  /** Base URL of the MizuFlow server (e.g. https://flags.example.com), or the full stream URL. */
  url: string;
  sdkKey: string;
  /** Defaults to `globalThis.EventSource` (browsers). The `./node` entry passes eventsource v4. */
  EventSource?: EventSourceConstructor;
  /** Used by eventsource v4 for the stream request (defaults to `globalThis.fetch`). */
  fetch?: FetchFn;
  /**
   * How the key is sent. `header` (Authorization: Bearer) needs eventsource v4 and is the Node
   * default; `query` (`?sdk_key=`) is for a browser's native EventSource, which cannot set headers.
   */
  authMode?: "header" | "query";
  /** Backoff base until the server's `retry:` is known (browsers never see it). Default 1000. */
  initialBackoffMs?: number;
  /** Backoff cap. Default 30000. */
  maxBackoffMs?: number;
  /** Reconnect when the stream is silent this long (heartbeats count; header mode only). Default 45000. */
  idleTimeoutMs?: number;
  /** Where the last state is kept between runs (the `./node` entry builds one from `snapshotPath`). */
  snapshotStore?: SnapshotStore;
  /** Debounce of local snapshot writes. Default 500. */
  persistDebounceMs?: number;
  logger?: Logger;
  /**
   * Report the applied revision to the server (`POST /api/sdk/v1/report`) so its console can show
   * how many clients have a change. Default true; best effort, never affects evaluation.
   */
  reportRevision?: boolean;
  /** At most one revision report per this many ms after changes (trailing). Default 5000, minimum 1000. */
  reportIntervalMs?: number;
  /** For tests: the randomness of the backoff jitter. */
  random?: () => number;
}

export interface ReadyOptions {
  /** Wait for the live stream; a loaded local snapshot is not enough. */
  live?: boolean;
  /** Reject after this long. Default: wait as long as it takes. */
  timeoutMs?: number;
}

export interface MizuFlowClient {
  /** Resolves on the first snapshot, or on a loaded local snapshot (unless `live`). Rejects if the key is refused. */
  ready(options?: ReadyOptions): Promise<void>;
  readonly state: ClientState;
  /** The stream revision of the state applied (0 before any). */
  readonly revision: number;
  readonly environment: string | null;
  getBoolean(namespace: string, key: string, defaultValue: boolean): boolean;
  getString(namespace: string, key: string, defaultValue: string): string;
  getNumber(namespace: string, key: string, defaultValue: number): number;
  getJSON<T extends JsonValue>(namespace: string, key: string, defaultValue: T): T;
  /** Value plus reason, error code and version; never throws. */
  resolve<T extends JsonValue>(namespace: string, key: string, type: FlagType, defaultValue: T): Resolution<T>;
  getAll(): FlagEntry[];
  on<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): () => void;
  off<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): void;
  /** Stops the stream and writes the pending local snapshot. */
  close(): Promise<void>;
}
