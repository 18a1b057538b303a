import { EventSource } from "eventsource";
import { createClient as createUniversalClient, type ClientOptions, type MizuFlowClient } from "./client";
import { targetingEngine } from "./local-eval/targeting-entry";
import { fileSnapshotStore } from "./node/file-snapshot-store";

/**
 * MizuFlow SDK, Node entry. Same client as the universal entry, with Node defaults:
 * - the `eventsource` package (v4) as EventSource, with the key in an `Authorization: Bearer`
 *   header instead of the URL (URLs end up in proxy and access logs);
 * - `snapshotPath`: the local snapshot file, written atomically (see node/file-snapshot-store.ts);
 * - the targeting engine, so flags with rules are evaluated locally (`targeting`).
 */
export interface NodeClientOptions extends ClientOptions {
  /** File that keeps the last state between runs, e.g. `/var/lib/myapp/mizuflow.json`. */
  snapshotPath?: string;
}

export function createClient(options: NodeClientOptions): MizuFlowClient {
  const { snapshotPath, ...rest } = options;
  return createUniversalClient({
    EventSource,
    authMode: "header",
    targeting: targetingEngine,
    ...rest,
    snapshotStore: rest.snapshotStore ?? (snapshotPath ? fileSnapshotStore(snapshotPath) : undefined),
  });
}

export { fileSnapshotStore } from "./node/file-snapshot-store";
export { streamUrl, type ClientOptions, type MizuFlowClient, type ReadyOptions } from "./client";
export { localStorageSnapshotStore, type SnapshotStore } from "./snapshot-store";
export type * from "./types";
export type { TargetingEngine } from "./local-eval/engine-port";
export type { EventSourceConstructor, EventSourceLike } from "./stream-connection";
