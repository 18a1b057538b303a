import type { EvaluationContext, TargetingEngine } from "./local-eval/engine-port";
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
  /**
   * The targeting engine that evaluates flags with rules locally: `targetingEngine` from
   * `@mizuflow/sdk/targeting`. The Node entry and the OpenFeature providers pass it by default;
   * the universal entry leaves it out to stay small for pages without rules. Without it a flag
   * with rules serves its environment value (reason DEFAULT), as clients before targeting did,
   * and the client warns once.
   */
  targeting?: TargetingEngine;
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
  /**
   * Getters evaluate locally (no network) for `context` (Unleash's shape: `userId`, `sessionId`,
   * `remoteAddress`, `environment`, `appName`, `currentTime`, anything else under `properties`).
   * Without rules, or without a context for rules that need one, a flag gives its value.
   */
  getBoolean(namespace: string, key: string, defaultValue: boolean, context?: EvaluationContext): boolean;
  getString(namespace: string, key: string, defaultValue: string, context?: EvaluationContext): string;
  getNumber(namespace: string, key: string, defaultValue: number, context?: EvaluationContext): number;
  getJSON<T extends JsonValue>(namespace: string, key: string, defaultValue: T, context?: EvaluationContext): T;
  /** Value plus reason, variant, rule index, error code and version; never throws. */
  getDetails<T extends JsonValue>(namespace: string, key: string, type: FlagType, defaultValue: T, context?: EvaluationContext): Resolution<T>;
  /** Same as `getDetails` (its older name). */
  resolve<T extends JsonValue>(namespace: string, key: string, type: FlagType, defaultValue: T, context?: EvaluationContext): Resolution<T>;
  getAll(): FlagEntry[];
  on<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): () => void;
  off<K extends keyof ClientEvents>(event: K, listener: (e: ClientEvents[K]) => void): void;
  /** Stops the stream and writes the pending local snapshot. */
  close(): Promise<void>;
}
